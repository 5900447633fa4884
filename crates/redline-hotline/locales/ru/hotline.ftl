# Стандартные формы горячей линии, русский. Свободный текст не проходит через Fluent и
# остаётся в том виде, в каком написан.

exercise-banner = УЧЕНИЯ — УЧЕНИЯ — УЧЕНИЯ: это сообщение является частью учений.

header-from = От: { $from }
header-to = Кому: { $to }
header-sent-at = Отправлено: { $sent_at } (UTC)
header-thread = Переписка: { $thread }
header-message = Сообщение: { $message_id }
header-incident = Инцидент: { $incident }
header-tlp = Порядок распространения: { $tlp }

label-summary = Краткое изложение (в редакции отправителя)
label-requested-actions = Запрашиваемые меры (в редакции отправителя)
label-questions = Вопросы (в редакции отправителя)
label-text = Текст (в редакции отправителя)
label-needs = Необходимая помощь (в редакции отправителя)
label-offer = Предлагаемая помощь (в редакции отправителя)
label-activity = Деятельность (в редакции отправителя)
label-indicators = Индикаторы (в редакции отправителя)
label-reason = Причина (в редакции отправителя)

notification-title = Уведомление об инциденте
notification-body = { $from } уведомляет вас об инциденте и просит подтвердить получение.
notification-severity = Оценённая серьёзность: уровень { $level } из 5.
acknowledgement-title = Подтверждение получения
acknowledgement-body = { $from } подтверждает получение сообщения { $of }.
clarification-request-title = Запрос разъяснений
clarification-request-body = { $from } просит разъяснить следующие вопросы.
response-title = Ответ
response-body = { $from } отвечает на сообщение { $of }.
assistance-request-title = Запрос о помощи
assistance-request-body = { $from } запрашивает помощь в соответствии с нормой 13(h) доклада ГПЭ ООН 2015 года.
assistance-offer-title = Предложение помощи
assistance-offer-body = { $from } предлагает помощь.
assistance-offer-body-to-request = { $from } предлагает помощь в ответ на запрос { $of }.
mitigation-request-title = Просьба пресечь вредоносную деятельность
mitigation-request-body = { $from } просит { $territory } пресечь вредоносную деятельность в сфере ИКТ, ведущуюся с его территории (нормы 13(c) и 13(h) ГПЭ ООН 2015 года).
communication-check-title = Проверка связи
communication-check-body = { $from } проверяет доступность этого контактного пункта. Пожалуйста, ответьте на проверку { $check_id }.
check-reply-title = Ответ на проверку связи
check-reply-body = { $from } подтверждает свою доступность (проверка { $check_id }).
closure-title = Переписка закрыта
closure-body = { $from } закрывает эту переписку.
label-done = Выполнено (в редакции отправителя)
label-not-done = Не выполнено (в редакции отправителя)
request-outcome-title = Результат рассмотрения запроса
request-outcome-body-accepted = { $from } принимает запрос { $of }.
request-outcome-body-partly = { $from } выполнил часть запроса { $of }.
request-outcome-body-declined = { $from } отклоняет запрос { $of }.
request-outcome-body-completed = { $from } полностью выполнил запрос { $of }.
