//! The access rule of a route: who may call it, what its path names, what kind of answer it
//! gives. The authorization layer reads it; features declare it with their routes.

use rectify_auth::Permission;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in account, even one that must first change its password or enrol its
    /// authenticator (the pages that lift those restrictions, and signing out).
    Account,
    /// Any signed-in account without a pending restriction.
    SignedIn,
    /// A signed-in account holding at least one of the permissions.
    AnyOf(&'static [Permission]),
}

/// What the route's path parameter names, whose data scope must reach the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Nothing (lists narrow their content themselves).
    None,
    /// `{id}` is an inspection.
    Inspection,
    /// `{id}` is an aspect (its inspection's scope).
    Aspect,
    /// `{id}` is a problem.
    Problem,
    /// `{id}` is a measure.
    Measure,
    /// `{sha256}` is an evidence file: some measure it belongs to must be visible.
    Evidence,
    /// `{id}` is a look-back item.
    LookbackItem,
}

/// What a route answers, which decides its body limit, its content security policy, its CSRF
/// check and how an error is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// JSON; bodies of a few kilobytes; CSRF by the session's `X-CSRF-Token` header.
    Api,
    /// JSON with a multipart evidence upload.
    ApiUpload,
    /// A page of the staff UI; forms carry the CSRF token; uploads up to the import limit.
    Page,
    /// A page of the staff UI whose forms are small (feedback handling, publishing).
    Form,
    /// The public portal: no scripts, small bodies, its own layout for errors.
    Public,
}

/// One row of the table: the access rule of a method and a route pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteRule {
    pub method: &'static str,
    /// The route pattern exactly as the router declares it.
    pub path: &'static str,
    pub access: Access,
    pub target: Target,
    pub kind: Kind,
}
