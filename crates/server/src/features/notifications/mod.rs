//! Notifications (消息提醒): each account's notification centre with its unread count, the
//! account's own mail address for copies, and the outbound delivery (SMTP, the group robot's
//! webhook) that the system administrator configures, with the queue's status.

mod api;
mod pages;

use rectify_auth::Permission as P;

use crate::http::route::Access::{AnyOf, SignedIn};
use crate::http::route::{Route, Target};
use crate::route;

pub(crate) use api::{
    DeliveriesDto, DeliveryDto, DeliverySettingsDto, EmailRequest, NotificationDto, NotificationsDto, SmtpDto,
    TestRequest, WebhookDto,
};

const SETTINGS: &[P] = &[P::ManageSettings];

pub(crate) const ROUTES: &[Route] = &[
    route!(GET "/api/notifications", api::list, SignedIn, Target::None, Api, doc = api::__path_list),
    route!(POST "/api/notifications/read-all", api::read_all, SignedIn, Target::None, Api, doc = api::__path_read_all),
    route!(POST "/api/notifications/{id}/read", api::read, SignedIn, Target::None, Api, doc = api::__path_read),
    route!(GET "/api/me/notification-email", api::get_email, SignedIn, Target::None, Api, doc = api::__path_get_email),
    route!(PUT "/api/me/notification-email", api::put_email, SignedIn, Target::None, Api, doc = api::__path_put_email),
    route!(GET "/api/notification-settings", api::get_settings, AnyOf(SETTINGS), Target::None, Api, doc = api::__path_get_settings),
    route!(PUT "/api/notification-settings", api::put_settings, AnyOf(SETTINGS), Target::None, Api, doc = api::__path_put_settings),
    route!(POST "/api/notification-settings/test", api::test, AnyOf(SETTINGS), Target::None, Api, doc = api::__path_test),
    route!(GET "/api/notification-deliveries", api::deliveries, AnyOf(SETTINGS), Target::None, Api, doc = api::__path_deliveries),
    route!(GET "/notifications", pages::centre, SignedIn, Target::None, Page),
    route!(POST "/notifications/read-all", pages::read_all, SignedIn, Target::None, Page),
    route!(POST "/notifications/{id}/read", pages::read, SignedIn, Target::None, Page),
    route!(POST "/notifications/email", pages::email, SignedIn, Target::None, Page),
    route!(GET "/admin/notifications", pages::admin, AnyOf(SETTINGS), Target::None, Page),
    route!(POST "/admin/notifications", pages::admin_save, AnyOf(SETTINGS), Target::None, Page),
    route!(POST "/admin/notifications/test", pages::admin_test, AnyOf(SETTINGS), Target::None, Page),
];
