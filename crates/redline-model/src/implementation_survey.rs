//! What a national implementation report answers, as data: the eleven voluntary norms of the
//! 2015 GGE report and the items of UNIDIR's National Survey of Implementation, each with its
//! question text in the six UN languages.
//!
//! Sources:
//! - The norms: Report of the Group of Governmental Experts on Developments in the Field of
//!   Information and Telecommunications in the Context of International Security, UN document
//!   A/70/174 (22 July 2015), paragraph 13 (a)–(k), endorsed by General Assembly resolution
//!   70/237. The short titles below are paraphrases (as in `norms-and-escalation.md` §1.1), not
//!   the UN's wording; `GGE_2015_SOURCE` cites the text.
//! - The survey: UNIDIR, "National Survey of Implementation of United Nations Recommendations on
//!   the Responsible Use of ICTs by States in the Context of International Security"
//!   (<https://nationalcybersurvey.cyberpolicyportal.org/instructions/>), four parts — I
//!   international law, II norms, III confidence-building measures, IV capacity building — each
//!   asking the measures taken in line with the 2015 GGE recommendations, the challenges and
//!   the capacity gaps. The 2021 OEWG report (A/75/816, para. 64) recommends it to states. The
//!   survey's exact per-question wording could not be retrieved; the items below are the
//!   measures the survey's parts ask about, named in redline's words (`UNIDIR_SURVEY_SOURCE`).
//!
//! Translations of the question texts are redline's own; the English text is authoritative.

use crate::Language;

/// Where the norm list comes from.
pub const GGE_2015_SOURCE: &str = "UN document A/70/174 (2015), paragraph 13 (a)-(k), endorsed by General Assembly resolution 70/237";
/// Where the survey structure comes from.
pub const UNIDIR_SURVEY_SOURCE: &str = "UNIDIR, National Survey of Implementation of United Nations Recommendations on the Responsible Use of ICTs by States in the Context of International Security (https://nationalcybersurvey.cyberpolicyportal.org/instructions/), recommended by the 2021 OEWG report A/75/816, para. 64";

crate::vocabulary::vocabulary! {
    /// The eleven voluntary norms of the 2015 GGE report, A/70/174 para. 13.
    GgeNorm {
        A => "13(a)",
        B => "13(b)",
        C => "13(c)",
        D => "13(d)",
        E => "13(e)",
        F => "13(f)",
        G => "13(g)",
        H => "13(h)",
        I => "13(i)",
        J => "13(j)",
        K => "13(k)",
    }
}

crate::vocabulary::vocabulary! {
    /// The measures UNIDIR's survey asks about, one answer each in a report.
    SurveyItem {
        ContactPoints => "contact-points",
        CriticalInfrastructureDesignated => "critical-infrastructure-designated",
        CertMandate => "cert-mandate",
        VulnerabilityDisclosurePolicy => "vulnerability-disclosure-policy",
        SupplyChainMeasures => "supply-chain-measures",
        ExportControlsOnIntrusionTools => "export-controls-on-intrusion-tools",
        CapacityBuildingGiven => "capacity-building-given",
        CapacityBuildingReceived => "capacity-building-received",
    }
}

/// A text in the six UN languages, in `Language::ALL`'s order: en, fr, es, ru, zh, ar.
pub type SixLanguages = [&'static str; 6];

fn pick(texts: &SixLanguages, language: Language) -> &'static str {
    match language {
        Language::English => texts[0],
        Language::French => texts[1],
        Language::Spanish => texts[2],
        Language::Russian => texts[3],
        Language::Chinese => texts[4],
        Language::Arabic => texts[5],
    }
}

/// One row of the norm table: the norm, the survey part it belongs to, its short title.
struct NormRow {
    norm: GgeNorm,
    title: SixLanguages,
}

const NORM_TABLE: [NormRow; 11] = [
    NormRow {
        norm: GgeNorm::A,
        title: [
            "Cooperate to increase stability and security and prevent harmful practices",
            "Coopérer pour renforcer la stabilité et la sécurité et prévenir les pratiques nuisibles",
            "Cooperar para aumentar la estabilidad y la seguridad y prevenir prácticas nocivas",
            "Сотрудничать для повышения стабильности и безопасности и предотвращения вредной практики",
            "合作加强稳定与安全，防止有害做法",
            "التعاون لتعزيز الاستقرار والأمن ومنع الممارسات الضارة",
        ],
    },
    NormRow {
        norm: GgeNorm::B,
        title: [
            "Consider all relevant information in case of ICT incidents",
            "Examiner toutes les informations pertinentes en cas d'incident informatique",
            "Considerar toda la información pertinente en caso de incidentes de TIC",
            "Учитывать всю соответствующую информацию при инцидентах в сфере ИКТ",
            "发生信通技术事件时考虑所有相关信息",
            "مراعاة جميع المعلومات ذات الصلة عند وقوع حوادث تكنولوجيا المعلومات والاتصالات",
        ],
    },
    NormRow {
        norm: GgeNorm::C,
        title: [
            "Do not knowingly allow your territory to be used for wrongful ICT acts",
            "Ne pas laisser sciemment son territoire servir à des faits illicites par les TIC",
            "No permitir a sabiendas que su territorio se use para actos ilícitos con TIC",
            "Не допускать сознательно использования своей территории для противоправных деяний с помощью ИКТ",
            "不得故意允许本国领土被用于利用信通技术实施国际不法行为",
            "عدم السماح عن علم باستخدام الإقليم في أفعال غير مشروعة باستخدام تكنولوجيا المعلومات والاتصالات",
        ],
    },
    NormRow {
        norm: GgeNorm::D,
        title: [
            "Cooperate on information exchange and against criminal and terrorist use of ICTs",
            "Coopérer à l'échange d'informations et contre l'usage criminel et terroriste des TIC",
            "Cooperar en el intercambio de información y contra el uso delictivo y terrorista de las TIC",
            "Сотрудничать в обмене информацией и против преступного и террористического использования ИКТ",
            "在信息交流及打击犯罪和恐怖主义利用信通技术方面开展合作",
            "التعاون في تبادل المعلومات ومكافحة الاستخدام الإجرامي والإرهابي لتكنولوجيا المعلومات والاتصالات",
        ],
    },
    NormRow {
        norm: GgeNorm::E,
        title: [
            "Respect human rights and privacy in securing ICTs",
            "Respecter les droits de l'homme et la vie privée dans la sécurisation des TIC",
            "Respetar los derechos humanos y la privacidad al proteger las TIC",
            "Уважать права человека и неприкосновенность частной жизни при обеспечении безопасности ИКТ",
            "在确保信通技术安全时尊重人权和隐私",
            "احترام حقوق الإنسان والخصوصية عند تأمين تكنولوجيا المعلومات والاتصالات",
        ],
    },
    NormRow {
        norm: GgeNorm::F,
        title: [
            "Do not damage critical infrastructure serving the public",
            "Ne pas endommager les infrastructures critiques qui servent le public",
            "No dañar infraestructuras críticas que prestan servicios al público",
            "Не наносить ущерб критически важной инфраструктуре, обслуживающей население",
            "不损害为公众提供服务的关键基础设施",
            "عدم إلحاق الضرر بالبنية التحتية الحيوية التي تخدم الجمهور",
        ],
    },
    NormRow {
        norm: GgeNorm::G,
        title: [
            "Protect your own critical infrastructure",
            "Protéger ses propres infrastructures critiques",
            "Proteger la propia infraestructura crítica",
            "Защищать собственную критически важную инфраструктуру",
            "保护本国关键基础设施",
            "حماية البنية التحتية الحيوية الخاصة بالدولة",
        ],
    },
    NormRow {
        norm: GgeNorm::H,
        title: [
            "Respond to requests for assistance and mitigation",
            "Répondre aux demandes d'assistance et d'atténuation",
            "Responder a las solicitudes de asistencia y mitigación",
            "Отвечать на просьбы о помощи и смягчении последствий",
            "回应援助和减轻影响的请求",
            "الاستجابة لطلبات المساعدة والتخفيف",
        ],
    },
    NormRow {
        norm: GgeNorm::I,
        title: [
            "Ensure supply-chain integrity and prevent proliferation of malicious tools",
            "Assurer l'intégrité de la chaîne d'approvisionnement et empêcher la prolifération d'outils malveillants",
            "Garantizar la integridad de la cadena de suministro e impedir la proliferación de herramientas maliciosas",
            "Обеспечивать целостность цепочки поставок и не допускать распространения вредоносных средств",
            "确保供应链完整性并防止恶意工具扩散",
            "ضمان سلامة سلسلة الإمداد ومنع انتشار الأدوات الخبيثة",
        ],
    },
    NormRow {
        norm: GgeNorm::J,
        title: [
            "Encourage responsible reporting of vulnerabilities",
            "Encourager le signalement responsable des vulnérabilités",
            "Fomentar la notificación responsable de vulnerabilidades",
            "Поощрять ответственное сообщение об уязвимостях",
            "鼓励负责任地报告漏洞",
            "تشجيع الإبلاغ المسؤول عن الثغرات",
        ],
    },
    NormRow {
        norm: GgeNorm::K,
        title: [
            "Do not harm emergency response teams",
            "Ne pas porter atteinte aux équipes d'intervention d'urgence",
            "No dañar a los equipos de respuesta a emergencias",
            "Не наносить ущерб группам реагирования на чрезвычайные ситуации",
            "不损害应急响应小组",
            "عدم الإضرار بأفرقة الاستجابة للطوارئ",
        ],
    },
];

/// One survey item: the survey part it belongs to (UNIDIR's I–IV), its question, the norms it
/// serves.
struct SurveyRow {
    item: SurveyItem,
    part: &'static str,
    norms: &'static [GgeNorm],
    question: SixLanguages,
}

const SURVEY_TABLE: [SurveyRow; 8] = [
    SurveyRow {
        item: SurveyItem::ContactPoints,
        part: "III",
        norms: &[GgeNorm::H],
        question: [
            "Has your State designated national points of contact for ICT incidents, and are they listed in the Global Points of Contact Directory?",
            "Votre État a-t-il désigné des points de contact nationaux pour les incidents informatiques, et figurent-ils dans le répertoire mondial des points de contact ?",
            "¿Ha designado su Estado puntos de contacto nacionales para incidentes de TIC y figuran en el Directorio mundial de puntos de contacto?",
            "Назначило ли ваше государство национальные контактные пункты по инцидентам в сфере ИКТ и внесены ли они в Глобальный справочник контактных пунктов?",
            "贵国是否指定了信通技术事件国家联络点，并已列入全球联络点名录？",
            "هل عيّنت دولتكم نقاط اتصال وطنية لحوادث تكنولوجيا المعلومات والاتصالات، وهل هي مدرجة في الدليل العالمي لنقاط الاتصال؟",
        ],
    },
    SurveyRow {
        item: SurveyItem::CriticalInfrastructureDesignated,
        part: "II",
        norms: &[GgeNorm::F, GgeNorm::G],
        question: [
            "Has your State designated its critical infrastructure, and which sectors does the designation cover?",
            "Votre État a-t-il désigné ses infrastructures critiques, et quels secteurs la désignation couvre-t-elle ?",
            "¿Ha designado su Estado su infraestructura crítica y qué sectores abarca la designación?",
            "Определило ли ваше государство свою критически важную инфраструктуру и какие отрасли охватывает это определение?",
            "贵国是否已认定其关键基础设施，认定涵盖哪些部门？",
            "هل حدّدت دولتكم بنيتها التحتية الحيوية، وما القطاعات التي يشملها هذا التحديد؟",
        ],
    },
    SurveyRow {
        item: SurveyItem::CertMandate,
        part: "II",
        norms: &[GgeNorm::K, GgeNorm::H],
        question: [
            "Does your State have a national CERT or CSIRT with a mandate set in law or policy?",
            "Votre État dispose-t-il d'un CERT ou CSIRT national dont le mandat est fixé par la loi ou une politique ?",
            "¿Cuenta su Estado con un CERT o CSIRT nacional con un mandato establecido en la ley o en una política?",
            "Есть ли в вашем государстве национальная группа CERT или CSIRT с мандатом, закреплённым в законе или политике?",
            "贵国是否设有由法律或政策规定职责的国家计算机应急响应小组（CERT或CSIRT）？",
            "هل لدى دولتكم فريق وطني للاستجابة لطوارئ الحاسوب بولاية محددة في القانون أو السياسات؟",
        ],
    },
    SurveyRow {
        item: SurveyItem::VulnerabilityDisclosurePolicy,
        part: "II",
        norms: &[GgeNorm::J],
        question: [
            "Does your State have a policy for the coordinated disclosure of ICT vulnerabilities?",
            "Votre État a-t-il une politique de divulgation coordonnée des vulnérabilités informatiques ?",
            "¿Tiene su Estado una política de divulgación coordinada de vulnerabilidades de TIC?",
            "Есть ли в вашем государстве политика скоординированного раскрытия уязвимостей ИКТ?",
            "贵国是否制定了信通技术漏洞协调披露政策？",
            "هل لدى دولتكم سياسة للإفصاح المنسق عن ثغرات تكنولوجيا المعلومات والاتصالات؟",
        ],
    },
    SurveyRow {
        item: SurveyItem::SupplyChainMeasures,
        part: "II",
        norms: &[GgeNorm::I],
        question: [
            "What measures has your State taken to ensure the integrity of the ICT supply chain?",
            "Quelles mesures votre État a-t-il prises pour garantir l'intégrité de la chaîne d'approvisionnement des TIC ?",
            "¿Qué medidas ha adoptado su Estado para garantizar la integridad de la cadena de suministro de las TIC?",
            "Какие меры приняло ваше государство для обеспечения целостности цепочки поставок ИКТ?",
            "贵国采取了哪些措施确保信通技术供应链的完整性？",
            "ما التدابير التي اتخذتها دولتكم لضمان سلامة سلسلة إمداد تكنولوجيا المعلومات والاتصالات؟",
        ],
    },
    SurveyRow {
        item: SurveyItem::ExportControlsOnIntrusionTools,
        part: "II",
        norms: &[GgeNorm::I],
        question: [
            "Does your State control the export of intrusion software and related tools?",
            "Votre État contrôle-t-il l'exportation de logiciels d'intrusion et d'outils connexes ?",
            "¿Controla su Estado la exportación de software de intrusión y herramientas conexas?",
            "Контролирует ли ваше государство экспорт программ для вторжения и связанных с ними средств?",
            "贵国是否对入侵软件及相关工具的出口实施管制？",
            "هل تراقب دولتكم تصدير برمجيات الاختراق والأدوات المتصلة بها؟",
        ],
    },
    SurveyRow {
        item: SurveyItem::CapacityBuildingGiven,
        part: "IV",
        norms: &[GgeNorm::A],
        question: [
            "What capacity-building assistance has your State given to other States?",
            "Quelle aide au renforcement des capacités votre État a-t-il apportée à d'autres États ?",
            "¿Qué asistencia para la creación de capacidad ha prestado su Estado a otros Estados?",
            "Какую помощь в наращивании потенциала ваше государство оказало другим государствам?",
            "贵国向其他国家提供了哪些能力建设援助？",
            "ما المساعدة في بناء القدرات التي قدمتها دولتكم إلى دول أخرى؟",
        ],
    },
    SurveyRow {
        item: SurveyItem::CapacityBuildingReceived,
        part: "IV",
        norms: &[GgeNorm::A],
        question: [
            "What capacity-building assistance has your State received, and which gaps remain?",
            "Quelle aide au renforcement des capacités votre État a-t-il reçue, et quelles lacunes subsistent ?",
            "¿Qué asistencia para la creación de capacidad ha recibido su Estado y qué carencias persisten?",
            "Какую помощь в наращивании потенциала получило ваше государство и какие пробелы остаются?",
            "贵国接受了哪些能力建设援助，还存在哪些差距？",
            "ما المساعدة في بناء القدرات التي تلقتها دولتكم، وما الثغرات التي لا تزال قائمة؟",
        ],
    },
];

/// The question asked of every norm's entry, in the six languages.
const NORM_QUESTION: SixLanguages = [
    "Which measures has your State taken to implement this norm, and which challenges and capacity gaps remain?",
    "Quelles mesures votre État a-t-il prises pour mettre en œuvre cette norme, et quels défis et lacunes de capacités subsistent ?",
    "¿Qué medidas ha adoptado su Estado para aplicar esta norma y qué desafíos y carencias de capacidad persisten?",
    "Какие меры приняло ваше государство для осуществления этой нормы и какие трудности и пробелы в потенциале остаются?",
    "贵国采取了哪些措施落实这一规范，还存在哪些挑战和能力差距？",
    "ما التدابير التي اتخذتها دولتكم لتنفيذ هذه القاعدة، وما التحديات والثغرات في القدرات التي لا تزال قائمة؟",
];

impl GgeNorm {
    /// The norm's short title (a paraphrase; see the module's sources) in `language`.
    pub fn title(&self, language: Language) -> &'static str {
        NORM_TABLE
            .iter()
            .find(|row| row.norm == *self)
            .map(|row| pick(&row.title, language))
            .unwrap_or_default()
    }

    /// The question a report answers for every norm.
    pub fn question(language: Language) -> &'static str {
        pick(&NORM_QUESTION, language)
    }
}

impl SurveyItem {
    /// The survey's question for this item in `language`.
    pub fn question(&self, language: Language) -> &'static str {
        SURVEY_TABLE
            .iter()
            .find(|row| row.item == *self)
            .map(|row| pick(&row.question, language))
            .unwrap_or_default()
    }

    /// The part of UNIDIR's survey this item belongs to (I–IV).
    pub fn survey_part(&self) -> &'static str {
        SURVEY_TABLE
            .iter()
            .find(|row| row.item == *self)
            .map(|row| row.part)
            .unwrap_or_default()
    }

    /// The norms this item serves.
    pub fn norms(&self) -> &'static [GgeNorm] {
        SURVEY_TABLE
            .iter()
            .find(|row| row.item == *self)
            .map(|row| row.norms)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_norm_and_item_has_a_text_in_each_of_the_six_languages() {
        for norm in GgeNorm::ALL {
            for language in Language::ALL {
                assert!(!norm.title(language).is_empty(), "{norm} in {language:?}");
            }
        }
        for item in SurveyItem::ALL {
            assert!(!item.survey_part().is_empty(), "{item}");
            for language in Language::ALL {
                assert!(
                    !item.question(language).is_empty(),
                    "{item} in {language:?}"
                );
            }
        }
        assert_eq!(NORM_TABLE.len(), GgeNorm::ALL.len());
        assert_eq!(SURVEY_TABLE.len(), SurveyItem::ALL.len());
        // The arrays are in `Language::ALL`'s order.
        assert_eq!(
            Language::ALL,
            [
                Language::English,
                Language::French,
                Language::Spanish,
                Language::Russian,
                Language::Chinese,
                Language::Arabic
            ]
        );
    }
}
