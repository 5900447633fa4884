# 热线标准表格，中文。自由文本从不经过 Fluent，保持原样。

exercise-banner = 演习 — 演习 — 演习：本消息属于演习的一部分。

header-from = 发件方：{ $from }
header-to = 收件方：{ $to }
header-sent-at = 发送时间：{ $sent_at }（UTC）
header-thread = 会话：{ $thread }
header-message = 消息：{ $message_id }
header-incident = 事件：{ $incident }
header-tlp = 分发限制：{ $tlp }

label-summary = 摘要（发件方原文）
label-requested-actions = 请求采取的行动（发件方原文）
label-questions = 问题（发件方原文）
label-text = 正文（发件方原文）
label-needs = 所需协助（发件方原文）
label-offer = 提供的协助（发件方原文）
label-activity = 活动（发件方原文）
label-indicators = 指标（发件方原文）
label-reason = 原因（发件方原文）

notification-title = 事件通报
notification-body = { $from } 向您通报一起事件，并请您确认收到。
notification-severity = 评估的严重程度：第 { $level } 级（共 5 级）。
acknowledgement-title = 确认收到
acknowledgement-body = { $from } 确认收到消息 { $of }。
clarification-request-title = 澄清请求
clarification-request-body = { $from } 请求就以下各点作出澄清。
response-title = 答复
response-body = { $from } 答复消息 { $of }。
assistance-request-title = 援助请求
assistance-request-body = { $from } 根据联合国政府专家组 2015 年报告规范 13(h) 请求援助。
assistance-offer-title = 援助提议
assistance-offer-body = { $from } 提出提供援助。
assistance-offer-body-to-request = { $from } 就请求 { $of } 提出提供援助。
mitigation-request-title = 请求制止恶意活动
mitigation-request-body = { $from } 请求 { $territory } 制止来自其领土的恶意信通技术活动（联合国政府专家组 2015 年规范 13(c) 和 13(h)）。
communication-check-title = 通信检查
communication-check-body = { $from } 正在检查本联络点是否可以联系。请答复检查 { $check_id }。
check-reply-title = 通信检查答复
check-reply-body = { $from } 确认可以联系（检查 { $check_id }）。
closure-title = 会话已关闭
closure-body = { $from } 关闭了本会话。
label-done = 已完成事项（发件方原文）
label-not-done = 未完成事项（发件方原文）
request-outcome-title = 请求的处理结果
request-outcome-body-accepted = { $from } 接受请求 { $of }。
request-outcome-body-partly = { $from } 已部分完成请求 { $of }。
request-outcome-body-declined = { $from } 拒绝请求 { $of }。
request-outcome-body-completed = { $from } 已完成请求 { $of }。
