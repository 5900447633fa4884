# النماذج القياسية للخط الساخن، بالعربية. النص الحر لا يمر عبر Fluent ويبقى كما كُتب.
# الاتجاه من اليمين إلى اليسار؛ المعرّفات والأوقات اللاتينية معزولة بعلامات العزل (FSI/PDI).

exercise-banner = تمرين — تمرين — تمرين: هذه الرسالة جزء من تمرين.

header-from = من: { $from }
header-to = إلى: { $to }
header-sent-at = أُرسلت: { $sent_at } (التوقيت العالمي المنسق)
header-thread = السلسلة: { $thread }
header-message = الرسالة: { $message_id }
header-incident = الحادث: { $incident }
header-tlp = التداول: { $tlp }

label-summary = الملخص (كما كتبه المرسل)
label-requested-actions = الإجراءات المطلوبة (كما كتبها المرسل)
label-questions = الأسئلة (كما كتبها المرسل)
label-text = النص (كما كتبه المرسل)
label-needs = المساعدة المطلوبة (كما كتبها المرسل)
label-offer = المساعدة المعروضة (كما كتبها المرسل)
label-activity = النشاط (كما كتبه المرسل)
label-indicators = المؤشرات (كما كتبها المرسل)
label-reason = السبب (كما كتبه المرسل)

notification-title = إخطار بحادث
notification-body = يُخطركم { $from } بحادث ويطلب منكم الإقرار بالاستلام.
notification-severity = درجة الخطورة المقدّرة: المستوى { $level } من 5.
acknowledgement-title = إقرار بالاستلام
acknowledgement-body = يُقرّ { $from } باستلام الرسالة { $of }.
clarification-request-title = طلب توضيح
clarification-request-body = يطلب { $from } توضيح النقاط التالية.
response-title = رد
response-body = يرد { $from } على الرسالة { $of }.
assistance-request-title = طلب مساعدة
assistance-request-body = يطلب { $from } المساعدة بموجب القاعدة 13(ح) من تقرير فريق الخبراء الحكوميين التابع للأمم المتحدة لعام 2015.
assistance-offer-title = عرض مساعدة
assistance-offer-body = يعرض { $from } تقديم المساعدة.
assistance-offer-body-to-request = يعرض { $from } تقديم المساعدة ردًا على الطلب { $of }.
mitigation-request-title = طلب الحد من نشاط خبيث
mitigation-request-body = يطلب { $from } من { $territory } وقف نشاط خبيث في مجال تكنولوجيا المعلومات والاتصالات صادر من إقليمه (القاعدتان 13(ج) و13(ح) لفريق الخبراء الحكوميين التابع للأمم المتحدة، 2015).
communication-check-title = فحص الاتصال
communication-check-body = يتحقق { $from } من إمكانية الوصول إلى جهة الاتصال هذه. يرجى الرد على الفحص { $check_id }.
check-reply-title = رد على فحص الاتصال
check-reply-body = يؤكد { $from } إمكانية الوصول إليه (الفحص { $check_id }).
closure-title = أُغلقت السلسلة
closure-body = يُغلق { $from } هذه السلسلة.
label-done = ما أُنجز (كما كتبه المرسل)
label-not-done = ما لم يُنجز (كما كتبه المرسل)
request-outcome-title = نتيجة طلب
request-outcome-body-accepted = يقبل { $from } الطلب { $of }.
request-outcome-body-partly = أنجز { $from } جزءًا من الطلب { $of }.
request-outcome-body-declined = يرفض { $from } الطلب { $of }.
request-outcome-body-completed = أنجز { $from } الطلب { $of } بالكامل.
