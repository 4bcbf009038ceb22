//! Chinese names of audited actions: one table for the audit log and the items' 操作记录. The
//! workflow's steps take their names from the domain's one table of actions.

use rectify_domain::workflow::{ActionKind, MeasureState};

/// The Chinese name of an action on a problem or a measure; `None` for actions that do not
/// belong in an item's history (sign-in events, account changes, unknown codes).
pub(crate) fn item_action_zh(code: &str) -> Option<&'static str> {
    if let Some(step) = code.strip_prefix("measure.").and_then(ActionKind::from_name) {
        // The history names a step as such; which reviewer approved is in the entry's actor.
        return Some(step.label_zh(MeasureState::InProgress));
    }
    Some(match code {
        "measure.add_progress" => "报送进展",
        "measure.attach_evidence" => "上传佐证材料",
        "measure.remind" => "催办",
        "supervision_notice.send" => "发送督办单",
        "measure.reassign" | "problem.reassign" => "调整责任",
        "problem.close" => "问题销号",
        "problem.reopen" => "问题重新整改",
        "problem.create" => "添加问题",
        "problem.update" => "修改问题",
        "problem.move" => "调整问题顺序",
        "problem.delete" => "删除问题",
        "problem.retire" => "作废问题",
        "problem.merge" => "合并重复问题",
        "measure.create" => "添加整改措施",
        "measure.update" => "修改整改措施",
        "measure.move" => "调整措施顺序",
        "measure.split" => "拆分整改措施",
        "measure.delete" => "删除整改措施",
        "measure.retire" => "作废整改措施",
        _ => return None,
    })
}

/// The Chinese name of any audited action, for the audit log (the code itself when unknown).
pub(crate) fn action_zh(code: &str) -> String {
    if let Some(label) = item_action_zh(code) {
        return label.to_owned();
    }
    let known = match code {
        "login.ok" => "登录成功",
        "login.failed" => "登录失败",
        "login.locked" => "账号锁定",
        "logout" => "退出登录",
        "session.idle_timeout" => "会话超时退出",
        "session.expired" => "会话到期退出",
        "password.change" => "修改口令",
        "totp.enrol" => "绑定动态口令",
        "user.create" => "创建账号",
        "user.disable" => "停用账号",
        "user.enable" => "启用账号",
        "user.reset_password" => "重置口令",
        "user.reset_second_factor" => "重置动态口令",
        "user.set_roles" => "分配角色",
        "user.set_totp" => "设置动态口令",
        "user.set_password" => "设置口令",
        "settings.security_policy" => "修改安全策略",
        "settings.notification_delivery" => "修改消息推送设置",
        "account.notification_email" => "设置消息接收邮箱",
        "user.totp_enrol" => "绑定动态口令",
        "user.totp_clear" => "解除动态口令",
        "feedback.submit" => "群众提交意见建议",
        "feedback.surge" => "意见建议数量超过提醒阈值",
        "feedback.status" => "意见建议状态变更",
        "inspection.delete" => "删除台账",
        "inspection.import" => "导入台账",
        "inspection.create" => "新建台账",
        "inspection.go_live" => "台账上线",
        "aspect.create" => "添加方面",
        "indicator.create" => "添加整改指标",
        "indicator.reading" => "记录指标数据",
        "aspect.update" => "修改方面",
        "aspect.move" => "调整方面顺序",
        "aspect.delete" => "删除方面",
        "report.publish" => "公开发布通报",
        "report.withdraw" => "撤回公开通报",
        "feedback.answer" => "答复意见建议",
        "feedback.processing" => "开始办理意见建议",
        "feedback.answer_submit" => "提交答复待审核",
        "feedback.answer_approve" => "审核通过答复",
        "feedback.answer_return" => "退回答复",
        "feedback.forward" => "转办意见建议",
        "feedback.link_problem" => "意见建议关联问题",
        "feedback.settings" => "设置答复需审核",
        "lookback.schedule" => "抽取回头看样本",
        "lookback.record" => "记录回头看结论",
        "evaluation.sheet" => "设置整改评估评分标准",
        "evaluation.adjust" => "调整整改评估得分",
        "round.rename" => "重命名巡察轮次",
        "round.merge" => "合并巡察轮次",
        "round.update" => "修改巡察轮次信息",
        "inspection.move_round" => "调整单位所属轮次",
        "audit.export" => "导出审计日志",
        "search.reindex" => "重建全文检索索引",
        "data.seal" => "加密存储个人信息（SM4）",
        "data.rotate_key" => "更换数据加密密钥",
        "data.register_key" => "启用数据加密密钥",
        "audit.rotate_key" => "更换审计日志密钥",
        "spot_object.create" => "登记双随机监管对象",
        "spot_object.update" => "修改双随机监管对象",
        "spot_object.retire" => "注销双随机监管对象",
        "spot_object.import" => "导入双随机监管对象名录",
        "spot_inspector.create" => "登记双随机检查人员",
        "spot_inspector.update" => "修改双随机检查人员",
        "spot_inspector.import" => "导入双随机检查人员名录",
        "spot_round.create" => "新建双随机抽查批次",
        "spot_round.draw" => "双随机抽取",
        "spot_item.record" => "记录双随机检查结果",
        "spot_round.ledger" => "双随机抽查问题生成整改台账",
        "spot_round.publish" => "公开双随机抽查结果",
        "spot_round.withdraw" => "撤回公开双随机抽查结果",
        _ if code.starts_with("export.") => "导出文档",
        _ => return code.to_owned(),
    };
    known.to_owned()
}

/// An audit result in Chinese: `ok` is 成功, `refused: …` is 拒绝（…）.
pub(crate) fn result_zh(result: &str) -> String {
    match result {
        "ok" => "成功".to_owned(),
        other => match other.strip_prefix("refused: ") {
            Some(why) => format!("拒绝（{why}）"),
            None => other.to_owned(),
        },
    }
}

/// The kind of an audited object in Chinese.
pub(crate) fn target_zh(kind: &str) -> &str {
    match kind {
        "measure" => "整改措施",
        "problem" => "问题",
        "inspection" => "巡察台账",
        "aspect" => "方面",
        "user" => "账号",
        "settings" => "系统设置",
        "feedback" => "意见建议",
        "publication" | "report" | "published_report" => "公开通报",
        "unit" => "单位",
        "lookback" | "lookback_item" => "回头看",
        "audit" => "审计日志",
        "round" => "巡察轮次",
        "search_index" => "全文检索索引",
        "data_key" => "数据加密密钥",
        "spot_object" => "双随机监管对象",
        "spot_inspector" => "双随机检查人员",
        "spot_registry" => "双随机名录",
        "spot_round" | "spot_item" => "双随机抽查",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_labels_are_chinese_and_skip_sign_in_events() {
        assert_eq!(item_action_zh("measure.claim"), Some("申请销号"));
        assert_eq!(item_action_zh("measure.approve"), Some("审核通过"));
        assert_eq!(item_action_zh("measure.start"), Some("开始整改"));
        assert_eq!(item_action_zh("measure.send_back"), Some("退回重办"));
        assert_eq!(item_action_zh("measure.add_progress"), Some("报送进展"));
        assert_eq!(item_action_zh("login.failed"), None);
        assert_eq!(item_action_zh("user.set_roles"), None);
    }

    #[test]
    fn the_audit_log_names_every_action_it_knows_in_chinese() {
        for code in [
            "login.ok",
            "login.failed",
            "measure.approve",
            "export.report.docx",
            "user.set_roles",
            "settings.notification_delivery",
            "account.notification_email",
            "feedback.answer_submit",
            "feedback.answer_approve",
            "feedback.answer_return",
            "feedback.forward",
            "feedback.link_problem",
            "feedback.settings",
            "round.update",
        ] {
            assert!(!action_zh(code).is_ascii(), "{code}");
        }
        assert_eq!(action_zh("something.new"), "something.new");
    }
}
