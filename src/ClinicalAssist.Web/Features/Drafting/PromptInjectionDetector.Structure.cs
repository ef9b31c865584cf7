using System.Text;
using System.Text.RegularExpressions;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>
/// The structural layer of <see cref="PromptInjectionDetector"/>: instead of one pattern per phrasing, each sentence is
/// read for a few language-independent roles, each found with a small lexicon per language (en, es, fr, de, pt, zh,
/// ar), and flagged only when the roles combine into the shape of an instruction to the model:
/// <list type="bullet">
/// <item><b>who is addressed</b>: an automated reader (an AI, a model, software, "whoever writes the summary"),
/// as a vocative ("dear …", "to the … reading this") or as the subject of an obligation ("the model must write …");</item>
/// <item><b>what is the target</b>: the generated output — the summary, the draft, a section or field of it, "what gets
/// generated" — not the clinical documents a ward writes about ("discharge summary", "CT report");</item>
/// <item><b>what is asked</b>: to leave something out, to say something in a given way, to mark a status (signed,
/// approved, final) or skip review, to steer citations, to ignore or void the reader's guidance, to reveal it, to
/// play a role, or a permission to do any of these;</item>
/// <item><b>anomalies of form</b>: look-alike or styled letters, encoded text (base64, entities, percent escapes)
/// that decodes to words, active markup and hidden comments.</item>
/// </list>
/// A request alone is ordinary ward writing ("Omit the morning dose", "Sign the fluid chart", "Ignore the earlier
/// potassium"); a request about the generated output, or addressed to an automated reader, is not. Each finding keeps
/// a rule of <see cref="PromptInjectionDetector.Explain"/> and the span from the first to the last role it combines.
/// </summary>
public sealed partial class PromptInjectionDetector
{
    /// <summary>The rule reported for encoded text (base64, character references, percent escapes) that decodes to words.</summary>
    public const string EncodedTextRule = "encoded-text";

    /// <summary>The rule reported for words written with look-alike letters from other alphabets or styled letters.</summary>
    public const string DisguisedTextRule = "disguised-text";

    /// <summary>The rule reported for a fake end of the note followed by more text.</summary>
    public const string DelimiterRule = "fake-delimiter";

    // ---- Lexicons (normalised text: lower case, diacritics and hamza removed, look-alike letters made Latin) ----

    /// <summary>Terms that name an automated reader whatever the context.</summary>
    private const string MachineStrong =
        @"(?:(?<!\b(?:trace|trivial|mild|moderate|severe|significant|no|chronic|acute|free|grade\s+\d)\s+)\bai\b(?!\s*[:,\-]?\s*(?:jet|murmur|grade|gradient|regurg|mild|moderate|severe|trace|trivial|none|nil|present|absent|\d|\+))|\ba\.i\.|\bllms?\b|\b(?:chat\s?)?gpt\b|\bchatbots?\b|\bbots?\b|\b(?:large\s+)?language\s+models?\b|\bsoftware\b|\bsummari[sz]ers?\b|\bsummari[sz](?:ing|ation)\s+(?:engines?|tools?|systems?|models?)\b"
        + @"|\b(?:automated|automatic|virtual|digital|ai)[\s-]+(?:readers?|systems?|tools?|assistants?|writers?|summari[sz]\w*|process\w*|outputs?|drafters?|pipelines?|models?|scribes?)\b|(?<!\b(?:oxygen|power)\s+)\bgenerators?\b|(?<!\b(?:dialysis|cpap|bipap|x-?ray|ecg|ekg|anaesthetic|anesthetic|suction|vending|washing|ventilation|bypass|mri|ct|bladder|scan)\s+)\bmachines?\b|\bengines?\b"
        + @"|(?:\b(?:la|a|una|uma|l'|cualquier|qualquer|toda|toute|chaque|cette)\s*)\bia\b(?!\s+(?:moderada|leve|severa|grave|ligera|trivial|moderee|legere|severe|minima))|\binteligencia\s+artificial\b|\bintelligence\s+artificielle\b|\bmodele\s+de\s+langage\b|\bmodelo\s+de\s+(?:lenguaje|linguagem)\b|\bsprachmodell\w*|\b(?:die|der|den|an\s+die|jede|eine)\s+ki\b|\bki-(?:modell|system|assistent|tool)\w*|\bkunstliche\s+intelligenz\b|\blogiciel\b"
        + @"|\bsistema\s+automatico\b|\bsysteme\s+automatique\b|\bautomatische[sn]?\s+system\w*|\b(?:asistente|assistente|assistant)\s+virtu\w+|人工智能|语言模型|語言模型|聊天机器人|聊天機器人|الذكاء\s+الاصطناعي|النظام\s+الالي|البرنامج\s+الالي)";

    /// <summary>Terms that name an automated reader only when spoken to or given an obligation ("dear assistant",
    /// "the model must"): on their own they are clinical words (a healthcare assistant, the nervous system).</summary>
    private const string MachineWeak =
        @"(?:(?<!\b(?:dr|mr|mrs|ms|miss|prof|doctor|nurse|sister|son|daughter|healthcare|nursing|physician|medical|care|ward|clinical|theatre|personal|dental|pharmacy|student|research|nervous|immune|respiratory|cardiovascular|renal|health)\.?\s+)\b(?:assistants?|models?|system|claude|gemini|copilot|computer|asistente|modelo|sistema|assistente|assistant|modele|systeme|assistent(?:in)?|modell|robot|robo|ki|ia)\b|助手|模型|系统|系統|程序|المساعد|النموذج|النظام|البرنامج|الروبوت)";

    private const string Greeting =
        @"(?:\b(?:dear|hey|hi|hello|attention|ok|okay|yo|querid[oa]|estimad[oa]|hola|atencion|cher|chere|bonjour|salut|liebe[rs]?|hallo|achtung|caro|cara|prezad[oa]|ola|atencao)\b|\b(?:note|message|memo|reminder|instructions?|request|word|notice|nota|mensaje|mensagem|aviso|hinweis|nachricht)\s+(?:\w+\s+){0,3}?(?:to|for|para|a|pour|an|fur)\b|\bp\.?\s?s\.?\s+(?:to|for)\b|致|给|給|亲爱的|親愛的|你好|您好|الى|ايها|يا|عزيزي|عزيزتي)";

    /// <summary>The generated output and its parts, not the ward's own documents.</summary>
    private const string OutputTarget =
        @"(?:(?<!\b(?:discharge|gp|transfer|clinic|operation|operative|op|handover|round|mdt|meeting|admission|referral|interim|case|care|radiology|echo|ct|mri|x-?ray|histology|pathology|lab|biopsy|scan|sortie|alta|entlassungs?)\s+)\b(?:summary|summaries|draft|write-?up|resumen|borrador|resume|synthese|brouillon|zusammenfassung|entwurf\w*|resumo|rascunho)\b(?!\s+(?:meeting|of\s+(?:the\s+)?(?:meeting|discussion|mdt|ward|today|care|admission|findings)|de\s+(?:alta|sortie)))"
        + @"|\b(?:your|the\s+generated|the\s+final|generated|ai|automated|model)\s+(?:outputs?|reports?|answers?|responses?|text)\b|\b(?:generated|auto-?generated|produced)\s+(?:text|summary|note|report|document|version|content)\b|\b(?:text|summary|content|document|report)\s+(?:generated|produced)\b|\bwhat\s+(?:you|gets|is|will\s+be)\s+(?:\w+\s+)?(?:generated|produced|written|output|generate|produce|write)\b|\bwhatever\s+(?:you\s+)?(?:produce|generate|write|output)s?\b|\b(?:the|this)\s+(?:output|text|summary|report|draft|document|content|answer)\s+(?:that\s+)?you\s+(?:produce|generate|write|create|return|give)\b"
        + @"|\b(?:this|that|the)\s+(?:document|report|write-?up)\b|\b(?:the|this|that)\s+(?:[\w'""“”‘’«»]+\s+){0,2}?(?:section|field|heading)\b(?<!\b(?:caesarean|cesarean|c-|frozen|visual)\s+section|\bvisual\s+field)|\b(?:under|in|into|within)\s+(?:the\s+)?['""“‘«][^'""”’»\n]{2,30}['""”’»]"
        + @"|\b(?:el|este|tu|su|ce|ton|votre|le|o|esse|seu|teu)\s+(?:informe|documento|texto|document|rapport|compte[\s-]rendu|texte|relatorio)\b(?!\s+(?:de\s+(?:tac|rx|radiologia|ecografia|anatomia|laboratorio)|operatoire|radiologique|du\s+scanner))|\b(?:dieses|diesen|dieser|dem|den|der|die|deine|ihre)\s+(?:berichts?|dokuments?|textes|ausgabe)\b|\b(?:texto|resumen|resumo|texte|compte\s+rendu)\s+(?:generad[oa]|gerad[oa]|genere)\b|\bgenerierte[nr]?\s+(?:zusammenfassung|text|bericht)\b"
        + @"|\b(?:la|esta|en\s+la|na|nesta|dans\s+la|cette)\s+(?:seccion|secao|seccao|section|rubrique)\b|\b(?:im|in\s+den|in\s+dem)\s+abschnitt\b|\b(?:el|le|o|no|das|im)\s+(?:campo|champ|feld)\b|\blo\s+que\s+(?:generes|escribas|produzcas)\b|\bce\s+que\s+tu\s+(?:generes|ecris|produis)\b|\bo\s+que\s+(?:voce\s+)?(?:gerar|escrever|produzir)\b"
        + @"|(?:这份|這份|本|生成的|你的)(?:报告|報告|摘要|总结|總結|文档|文檔|记录|記錄)|摘要|总结|總結|草稿|الملخص|المسوده|المسودة|التقرير|المستند|النص\s+الناتج)";

    /// <summary>Asks to leave something out.</summary>
    private const string Omit =
        @"(?:\b(?:do\s+not|don't|dont|never|not\s+to|no\s+need\s+to|did\s+not|does\s+not|should\s+not|must\s+not|shouldn't|mustn't|not)\s+(?:\w+\s+)?(?:mention|include|report|list|show|say|write|put|record|refer\s+to|flag|bring\s+up|document|cite|discuss|add)\b|\bleave\s+(?:\S+\s+){0,5}?out\b|\b(?:omit|drop|skip|remove|delete|exclude|hide|suppress|erase|strike)\b|\bnothing\s+(?:about|on|regarding)\b|\b(?:left|be|remain|stay|kept)\s+(?:empty|blank)\b|\bkeep\s+(?:\S+\s+){0,3}?out\b"
        + @"|\bno\s+(?:menciones|incluyas|pongas|escribas|cites|informes|hables|digas|anotes)\b|\b(?:omite|omita|quita|quite|elimina|elimine|borra|borre|suprime)\b|\bdeja\s+fuera\b|\bnada\s+(?:sobre|de)\b"
        + @"|\bne\s+(?:\w+\s+)?pas\s+(?:mentionner|inclure|citer|faire\s+figurer|parler|ecrire|indiquer|signaler)\b|\bne\s+(?:mentionne|mentionnez|inclus|incluez|cite|citez|parle|parlez|ecris|ecrivez|indique|indiquez|signale|signalez)\s+pas\b|\bpasse[rz]?\s+sous\s+silence\b|\b(?:omets|omettez|supprimez|retirez|effacez|cachez)\b|\blaisse[rz]?\s+de\s+cote\b"
        + @"|\bnichts?\s+(?:\w+\s+)?(?:erwahnen|nennen|aufnehmen|auffuhren|eintragen|aufschreiben|schreiben|angeben|berichten)\b|\b(?:erwahne|nenne|schreibe?)\s+(?:\S+\s+){0,6}?nicht\b|\bweg(?:lassen|gelassen)\b|\blass\s+(?:\S+\s+){0,5}?weg\b|\b(?:streiche|entferne|losche|verschweige)\b"
        + @"|\bnao\s+(?:\w+\s+)?(?:mencione|inclua|escreva|cite|fale|falar|coloque|ponha|mencionar|incluir|informe|relate|mostre)\b|\b(?:omita|remova|apague|oculte|exclua)\b|\bdeixe\s+de\s+fora\b"
        + @"|(?:不要|别|別|勿|不必|不用|无需|無需)(?:再)?(?:写|寫|提|提到|提及|包括|列出|写入|寫入|记录|記錄|报告|報告|说|說)|删除|刪除|去掉|省略|略去|隐去|隱去|删掉|刪掉|\bلا\s+(?:تذكر|تكتب|تدرج|تشر|تضع|تضمن|تورد)\b|(?:احذف|حذف|ازل|ازاله|ازالة|اخف))";

    /// <summary>Asks to put something in a given way (an obligation or an imperative followed by what to say).</summary>
    private const string Assert =
        @"(?:\b(?:must|should|shall|is\s+to|are\s+to|has\s+to|needs?\s+to|to)\s+(?:only\s+)?(?:say|state|read|describe|call|show|list|report|conclude|claim|present|contain\s+only)\b(?=[^.\n]{0,60}?(?:\bas\b|\bthat\b|:|['""“‘]|\bonly\b|\bnormal\b|\bstable\b|\bwell\b|\bnegative\b|\bbenign\b|\bunremarkable\b|\bresolved\b|\bno\b))"
        + @"|(?:^|[:;,—–-]\s*|\bplease\s+|\bjust\s+|\band\s+|\bthen\s+)(?:say|state|write|put|describe|call|list|report|record|enter|label|classify|present)\s+(?:\S+\s+){0,4}?(?:as|that|only)\b|\bput\s+only\b|\bonly\s+(?:put|write|list|say|mention|include)\b"
        + @"|\b(?:ensure|make\s+sure|see\s+to\s+it)\b(?:\s+that)?[^.\n]{0,60}?\b(?:lists?|says?|states?|reads?|shows?|contains?|includes?|describes?|mentions?)\b[^.\n]{0,30}?\b(?:no|only|nothing|as|that|normal)\b|\b(?:correct|right|proper|expected|required|only\s+acceptable)\s+(?:summary|conclusion|answer|output|response|assessment)\s+(?:\w+\s+){0,3}?(?:is|would\s+be|reads)\b|\b(?:begin|start|end|finish|open|close|prefix|append)\s+(?:it\s+|(?:the|your)\s+\w+\s+)?(?:with|by)\b"
        + @"|\b(?:escribe|escriba|pon|ponga|di|diga|describe|describa|anota|anote|indica|indique)\s+(?:\S+\s+){0,3}?(?:que|como|solo|:)|\bdebe\s+(?:decir|indicar|constar|poner|describir)\b|\bsolo\s+(?:pon|escribe|incluye)\b"
        + @"|\b(?:ecris|ecrivez|mets|mettez|dis|dites|indique|indiquez|notez|decris|decrivez)\s+(?:\S+\s+){0,3}?(?:que|comme|seulement|uniquement|:)|\bdoit\s+(?:dire|indiquer|affirmer)\b"
        + @"|\b(?:schreibe?|trage|setze|nenne|beschreibe)\s+(?:\S+\s+){0,4}?(?:dass|als|nur|:)|\bnur\s+(?:\S+\s+){0,3}?(?:eintragen|schreiben|angeben|nennen)\b|\bsoll\s+(?:\S+\s+){0,3}?(?:stehen|lauten|heissen)\b"
        + @"|\b(?:escreva|coloque|ponha|diga|descreva|informe|registre)\s+(?:\S+\s+){0,3}?(?:que|como|apenas|so|:)|\bdeve\s+(?:dizer|constar|informar|afirmar)\b"
        + @"|(?:直接|只|仅|僅)(?:写|寫|填|说|說)|(?:写|寫|填)(?:成|为|為|上)|应(?:该)?(?:写|寫|说|說)|(?:اكتب|قل|ضع|اذكر)\s+(?:\S+\s+){0,3}?(?:ان|انه|فقط|:)|يجب\s+ان\s+(?:يقول|يذكر|يكتب))";

    private const string StatusWord =
        @"(?:signed(?:\s+off)?|approved|verified|validated|reviewed|checked|final|finali[sz]ed|attested|accepted|firmad[oa]|aprobad[oa]|validad[oa]|verificad[oa]|revisad[oa]|finalizad[oa]|signee?|approuvee?|validee?|verifiee?|revisee?|relue?|definitif|definitive|finalisee?|unterschrieben|signiert|freigegeben|genehmigt|gepruft|verifiziert|validiert|abgezeichnet|abgeschlossen|assinad[oa]|aprovad[oa])";

    /// <summary>Asks to give the output a status: "as signed", "como validado", "auf unterschrieben", "当作已审核".</summary>
    private const string StatusAs =
        @"(?:\b(?:as|como|comme|als|auf|a|en\s+tant\s+que|to)\s+(?:(?:already|ya|deja|bereits|schon|ja|being|been|if|si|se|fosse|fully)\s+)?(?:\w+\s+)?" + StatusWord + @"\b"
        + @"|(?:当作|當作|视为|視為|作为|作為|标记为|標記為|标为|標為|设为|設為|算作|当成|當成)[^。\n]{0,6}(?:签署|签名|簽署|簽名|审核|審核|批准|核实|核實|通过|通過|确认|確認|定稿)"
        + @"|(?:على\s+انه|على\s+انها|اعتبر|اجعل)\s+(?:\S+\s+){0,3}?(?:موقع|معتمد|مراجع|تمت\s+مراجعت|نهائي|مصادق)\w*)";

    /// <summary>Asks to skip the human review, or exempts the output from checks.</summary>
    private const string NoHuman =
        @"(?:\bwithout\s+(?:a\s+|any\s+)?(?:human|doctor|clinician|physician|review|reviewer|checking|sign-?off|oversight)\b|\bno\s+(?:need\s+for\s+(?:a\s+|any\s+)?(?:human|doctor|clinician|review|anyone)|(?:human|clinician|doctor)\s+(?:review|check|sign-?off))\b|\bexempt\s+from\s+(?:\w+\s+)?(?:checks?|review|verification|warnings?)\b|\b(?:disable|turn\s+off|switch\s+off|suppress|silence|mute|bypass)\s+(?:\w+\s+){0,2}?(?:warnings?|verification|validation|citations?|safety\s+checks?)\b"
        + @"|\bsin\s+(?:que\s+(?:lo|la)\s+revise|revision|supervision)\b|\bsans\s+(?:relecture|revision|verification|controle)\b|\bohne\s+(?:prufung|kontrolle|durchsicht|freigabe)\b|\bsem\s+(?:revisao|verificacao|supervisao)\b|(?:无需|無需|不需要|不用)(?:审核|審核|复核|複核|医生|醫生)|(?:دون|بدون)\s+مراجع)";

    /// <summary>Imperative status actions (sign, approve, release, lock…): only a finding together with a target.</summary>
    private const string StatusAction =
        @"(?:(?:^|[:;,—–-]\s*|\bplease\s+|\bjust\s+|\band\s+|\bthen\s+|\bso\s+)(?:sign|approve|finali[sz]e|release|lock|validate|verify|attest|tick)\b|\b(?:firma|firme|aprueba|apruebe|valida|valide|signe[zr]?|approuve[zr]?|unterschreibe|signiere|gib\s+\S+\s+frei|assine|aprove)\b|(?:签署|签名|簽署|簽名|批准|审核通过)|(?:وقع|اعتمد)\b)";

    private const string Cite =
        @"(?:\b(?:cite|reference|attribute|source|back\s+up|support|justify)\s+(?:\w+\s+){0,2}?(?:only|exclusively|just|every|all|each)\b|\b(?:only|every|all|each)\s+(?:\w+\s+){0,3}?(?:cit\w+|referenc\w+|attribut\w+|sourced)\b|\battribut\w*\s+to\s+[a-z]{1,2}\d{1,4}\b|\b(?:citations?|references?|sources?)\b[^.\n]{0,20}?\b(?:use|keep|point\s+to|limit\s+to)\s+(?:\w+\s+)?only\b|\buse\s+only\s+[a-z]{1,2}\d{1,4}\b"
        + @"|\b(?:cita|citar|citez|zitiere|zitieren|cite)\s+(?:\S+\s+){0,3}?(?:solo|solamente|uniquement|seulement|nur|apenas|somente)\b|仅引用|只引用|僅引用|استشهد\s+فقط)";

    private const string CiteContext = @"(?:\b[a-z]{1,2}\d{1,4}\b|\bstatements?\b|\bclaims?\b|\bsentences?\b|\bfindings\b|" + OutputTarget + ")";

    private const string Dismiss =
        @"(?:\b(?:is|are|was)\s+(?:not\s+(?:relevant|important|significant|needed|necessary|worth\s+\w+)|irrelevant|unimportant|fine|normal)\b|\bnot\s+worth\s+(?:reporting|mentioning|including)\b|\bno\s+(?:es|est|ist|e)\s+(?:relevante|important|wichtig)\b|\bunwichtig\b|\bsans\s+importance\b|无关紧要|不重要|غير\s+مهم)";

    private const string Guidance =
        @"(?:\b(?:instructions?|rules|guidance|guidelines|directions|directives?|prompts?|set-?up|configuration|programming|constraints|polic(?:y|ies)|system\s+message|orders|commands|instrucciones|reglas|directrices|ordenes|normas|consignas|consignes|regles|ordres|anweisungen|vorgaben|regeln|instruktionen|befehle|richtlinien|instrucoes|orientacoes|regras|diretrizes|ordens)\b|规则|規則|指令|指示|说明|說明|设定|設定|提示|التعليمات|الاوامر|التوجيهات|القواعد|الارشادات|تعليمات|بالتعليمات|بالاوامر|بالقواعد)";

    /// <summary>Whose guidance: the reader's own ("your", "you were given", "the system's", "the original") or the
    /// guidance before this text ("earlier", "previous").</summary>
    private const string GuidanceScope =
        @"(?:\b(?:your|you|yours|te|tus|tu|tes|t'|vos|vous|dich|dein\w*|ihre[n]?|seu|sua|suas|seus|tuas|voce|lhe|recebeu|recibiste|setup|system|sistema|systeme|original\w*|initial\w*|iniciales|initiales|ursprunglich\w*|originais|originales|d'origine|earlier|prior|previous|preceding|above|foregoing|former|anteriores|previas|precedentes|anterieures|bisherig\w*|vorherig\w*|fruher\w*|obig\w*)\b|\bal\s+principio\b|\bau\s+depart\b|\bvon\s+anfang\b|你的|给你|給你|原来|原來|原先|最初|之前|以前|先前|上面|上述|以上|لك\b|الاصلي|السابق|من\s+قبل)";

    private const string OverrideVerb =
        @"(?:\b(?:ignore|disregard|forget|override|bypass|set\s+aside|scrap|discard|abandon|ditch|(?:do\s+not|don't|dont|never|stop|no\s+longer|cease\s+to)\s+(?:\w+\s+)?(?:follow|obey|apply|comply|stick|adhere|listen|heed|respect|use)(?:ing)?)\b"
        + @"|\b(?:ignora|olvida|olvide|descarta|descarte|desobedece|no\s+(?:sigas|siga|obedezcas|obedezca|cumplas|cumpla|respetes|respete|hagas\s+caso|haga\s+caso)|deja\s+de\s+(?:lado|seguir|cumplir)|haz\s+caso\s+omiso)\b"
        + @"|\b(?:ignore[zr]?|oublie[zr]?|ne\s+(?:tiens|tenez)\s+(?:pas|plus)\s+compte|ne\s+(?:suis|suivez|respecte|respectez|obeis|obeissez|applique|appliquez)\s+(?:pas|plus)|laisse[zr]?\s+de\s+cote|fai(?:s|tes)\s+abstraction)\b"
        + @"|\b(?:ignoriere|ignorieren\s+sie|vergiss|vergessen\s+sie|missachte|halte?\s+dich\s+nicht|halten\s+sie\s+sich\s+nicht|(?:befolge|beachte|folge)\s+(?:\S+\s+){0,4}?(?:nicht|keine))\b"
        + @"|\b(?:esqueca|esquece|desconsidere|desconsidera|deixe\s+de\s+lado|nao\s+(?:siga|obedeca|cumpra|respeite|sigas)|pare\s+de\s+seguir)\b"
        + @"|(?<!患者|病人|家属|家屬)(?:忽略|无视|無視|忘记|忘記|忘掉|不要(?:再)?(?:按照|遵守|遵循|理会|理會|听从|聽從|执行|執行|管)|不再(?:按照|遵守|遵循)|别(?:再)?(?:按照|遵守|管)|跳过|跳過)(?!了)|(?:\bتجاهل|\bانس|\bانسي|\bتخط|\bلا\s+(?:تلتزم|تتبع|تطع|تعمل|تاخذ)))";

    private const string Nullify =
        @"(?:\b(?:void|null|cancell?ed|revoked|suspended|obsolete|superseded|withdrawn|invalid)\b|\bno\s+longer\s+(?:apply|applies|valid|count|counts|matter|stands?|holds?)\b|\bdo(?:es)?\s+not\s+apply\b|\bne\s+(?:comptent|compte|s'appliquent|valent)\s+plus\b|\bsont\s+(?:annulees|caduques|obsoletes)\b|\bya\s+no\s+(?:valen|aplican|cuentan|sirven)\b|\bquedan\s+anuladas\b"
        + @"|\bgelten\s+nicht\s+mehr\b|\bsind\s+(?:aufgehoben|ungultig|hinfallig)\b|\b(?:ja\s+)?nao\s+(?:valem|se\s+aplicam)\b|\bforam\s+(?:canceladas|revogadas)\b|作废|作廢|失效|无效|無效|لم\s+تعد\s+(?:سارية|صالحة)|ملغا[ةه])";

    private const string Precedence =
        @"(?:\b(?:this\s+note|these\s+(?:notes|lines|words)|what\s+follows|the\s+following|this\s+message|this\s+text)\s+(?:\w+\s+)?(?:takes?\s+precedence|supersedes?|overrides?|replaces?|has\s+priority|outranks?)\b|\btakes?\s+precedence\s+over\s+(?:\w+\s+){0,3}?" + Guidance + ")";

    /// <summary>Someone other than the reader is the subject: the patient ignored the instructions, not the model.</summary>
    private const string ClinicalSubject =
        @"(?:\b(?:patient|pt|he|she|they|family|husband|wife|son|daughter|mother|father|carer|relatives?|told\s+to|asked\s+to|advised\s+to|instructed\s+to|tends\s+to|paciente|familia|patiente|il|elle|familie|angehorige\w*|doente|mae|pai)\b|患者|病人|家属|家屬|المريض|المريضه|العائله|الاهل)";

    private const string Modal =
        @"(?:\b(?:must|should|shall|will|is\s+to|are\s+to|has\s+to|have\s+to|needs?\s+to|(?:is|are)\s+(?:required|expected|instructed|permitted|allowed|authori[sz]ed|cleared)\s+to|may|can|debe|deberia|tiene\s+que|puede|doit|devra|peut|muss|soll|darf|kann|deve|pode|tem\s+que)\b|必须|必須|应该|應該|应当|可以|需要|يجب|ينبغي|يمكن)";

    private const string RequestVerb =
        @"(?:\b(?:write|describe|say|state|call|report|list|mark|sign|approve|finali[sz]e|omit|drop|skip|leave|ignore|treat|classify|label|output|put|record|cite|attribute|answer|respond|reply|conclude|consider|accept|exclude|remove|hide|not|never|always|only"
        + @"|escribir|describir|decir|poner|omitir|aprobar|firmar|marcar|ignorar|ecrire|dire|mettre|omettre|approuver|signer|valider|marquer|ignorer|schreiben|nennen|weglassen|freigeben|unterschreiben|markieren|ignorieren|escrever|dizer|aprovar|assinar)\b"
        + @"|写|寫|删除|刪除|跳过|跳過|省略|批准|签署|簽署|标记|標記|忽略|يكتب|يحذف|يتجاهل|يوقع|يعتمد)";

    private const string Permission =
        @"(?:\b(?:is|are)\s+(?:now\s+|hereby\s+)?(?:permitted|allowed|authori[sz]ed|cleared|free|entitled)\s+to\s+(?:\w+\s+)?(?:skip|drop|omit|ignore|bypass|finali[sz]e|sign|approve|release|leave|remove|disable|suppress|turn\s+off)\b"
        + @"|\bpuede\s+(?:omitir|saltar|ignorar|aprobar|firmar)\b|\bpeut\s+(?:omettre|ignorer|sauter|valider|signer)\b|\bdarf\s+(?:\S+\s+){0,3}?(?:weglassen|ignorieren|uberspringen|freigeben)\b|\bpode\s+(?:omitir|ignorar|pular|aprovar|assinar)\b"
        + @"|可以(?:跳过|跳過|省略|忽略|删除|刪除|直接签署|直接批准)|يمكنه?\s+(?:تجاهل|حذف|تخطي))";

    private const string PermissionObject =
        @"(?:\bcitations?\b|\bwarnings?\b|\bchecks?\b|\breview\b|\bverification\b|\breferences?\b|\bhuman\b|\bcitas\b|\bavertissements\b|\bwarnungen\b|\bavisos\b|引用|审核|審核|警告|المراجع|التحذيرات|" + MachineStrong + "|" + OutputTarget + ")";

    private const string RolePlay =
        @"(?:\b(?:suppose|imagine|pretend|assume|let'?s\s+say|picture\s+yourself|for\s+this\s+(?:chart|note|patient|one))\b[^.\n]{0,40}?\byou(?:'re|\s+are|\s+were|\s+work|\s+act|\s+play)\b"
        + @"|\byou(?:'re|\s+are)\s+(?:now\s+)?(?:a|an)\s+(?:\w+\s+){0,2}?(?:planner|coordinator|doctor|physician|registrar|consultant|nurse|lawyer|agent|assistant|bot|writer|editor|pirate|poet|comedian|character|manager|officer|clerk|advocate|salesman|spokesperson|locum|surgeon|pharmacist|therapist|secretary|intern|resident|specialist|expert|judge|critic|narrator|storyteller)\b(?=[^.\n]{0,30}?(?:\btoday\b|\btonight\b|\bnow\b|\bhere\b|\bfor\s+this\b|[.!]|$))"
        + @"|\b(?:imagina|supon|finge|haz\s+de\s+cuenta)\s+que\s+eres\b|\beres\s+(?:un|una)\s+\w+|\b(?:imagine|suppose|fais\s+comme\s+si)\s+(?:que\s+)?tu\s+es\b|\btu\s+es\s+(?:un|une)\s+\w+"
        + @"|\bdu\s+bist\s+(?:ein|eine|der|die)\b|\bimagine\s+que\s+(?:voce|tu)\s+(?:e|es)\b|\bvoce\s+e\s+(?:um|uma)\b"
        + @"|假设你是|假設你是|想象你是|想像你是|假装你是|假裝你是|你是一个|你是一個|你就是|\bتخيل\s+(?:انك|انكِ)|\bانت\s+(?:الان\s+)?(?:طبيب|مساعد|محام))";

    /// <summary>Words for playing a role or pretending that also describe a ward activity or a relative's part
    /// ("joue le rôle d'aidante", "角色扮演训练", "finja"): a request only with a reader, a target or a role assigned to
    /// the reader in the sentence (<see cref="RoleAssignment"/>).</summary>
    private const string RoleActivity =
        @"(?:\bjoue[zr]?\s+(?:le\s+role|un|une)\b|\bstell\s+dir\s+vor\b|\bspiel\s+(?:die\s+rolle|einen?)\b|\bfinja\b|扮演|\bتظاهر)";

    /// <summary>A role given to the reader: a second-person copula with a role ("you are the registrar", "tu es",
    /// "eres", "du bist", "você é um", "你是", "أنت"), "pretend you are", "act as if you were", "stay in character" — as
    /// opposed to a role play described as a ward activity ("role play used in the group session") or an order to
    /// staff ("act as chaperone").</summary>
    private const string RoleAssignment =
        @"(?:\byou(?:'re|\s+are|\s+were)\s+(?:now\s+)?(?:(?:a|an|the|my|our)\s+\w+|called|named|known\s+as|in\s+\w+\s+mode|playing|acting|operating|working\s+for|unrestricted|unfiltered|uncensored|jailbroken|dan)\b"
        + @"|\b(?:pretend|imagine|suppose|assume)\s+(?:that\s+)?you(?:'re|\s+are|\s+were)\b|\bpretend\s+to\s+be\s+(?:a|an|the|my|our)\s+\w+|\b(?:act|behave|respond|answer)\s+as\s+(?:if\s+you\b|(?:an?\s+|the\s+)?(?:unrestricted|unfiltered|uncensored|jailbroken)\b)"
        + @"|\bstay\s+in\s+character\b|\bin\s+this\s+(?:game|story|scenario),?\s+you\b"
        + @"|\b(?:ahora\s+)?eres\b|\b(?:tu\s+es|vous\s+etes)\b|\bdu\s+bist\b|\b(?:voce|tu)\s+(?:agora\s+)?e\s+(?:um|uma|o|a)\b|\bvoce\s+agora\s+e\b|\bagora\s+voce\s+e\b"
        + @"|你是|你现在是|你現在是|你就是|\bانت\b|بانك"
        // An unrestricted persona, in each language.
        + @"|\bsin\s+(?:limites|restricciones|filtros)\b|\bsans\s+(?:limites?|restrictions?|filtres?)\b|\bohne\s+(?:grenzen|einschrankungen|filter)\b|\buneingeschrankt\w*|\bsem\s+(?:limites|restricoes|filtros)\b|不受限制|无限制|無限制|没有限制|沒有限制|(?:بلا|دون)\s+قيود"
        // A request, at the start of a sentence (or after "please", "now", a colon), to take on a role or to pretend:
        // the imperative, not the description ("Role play used in…", "La fille joue le rôle…", "康复小组使用角色扮演").
        + @"|^\s*(?:(?:please|now|just|then|and|ok|okay)\s+)*(?:pretend\b|role-?\s?play\s+(?:as|the)\b|play\s+(?:the\s+)?(?:role|part)\s+of\b|take\s+on\s+the\s+role\b)"
        + @"|(?:^\s*|[:;]\s*)(?:por\s+favor\s+)?(?:finge|finja|fingid|haz\s+(?:el\s+papel|de)|interpreta\s+el\s+papel|juega\s+a\s+ser|faca\s+o\s+papel|interprete\s+o\s+papel)\b"
        + @"|(?:^\s*|[:;]\s*)(?:s'il\s+te\s+plait\s+)?(?:joue[zr]?\s+(?:le\s+role|un|une)|fai(?:s|tes)\s+semblant|incarne[z]?)\b|(?:^\s*|[:;]\s*)(?:bitte\s+)?(?:spiele?\s+(?:die\s+rolle|einen?)|tu\s+so\s+als|stell\s+dir\s+vor)\b"
        + @"|(?:^\s*|[：:；;]\s*)(?:请|請)?\s*(?:扮演|假装|假裝)|(?:请|請)(?:扮演|假装|假裝)|(?:^\s*|[:;]\s*)(?:تظاهر|تقمص|مثل\s+دور)"
        + ")";

    private const string Reveal =
        @"(?:\b(?:paste|print|show|tell|repeat|output|give|reveal|share|dump|quote|recite|copy|display|write\s+out|what\s+(?:is|are|were))\b[^.!?\n]{0,50}?\b(?:prompt|instructions|system\s+message|context|configuration|setup)\b[^.!?\n]{0,50}?(?:\byou\s+(?:were|have\s+been|got|received|had)\b|\byour\b|\babove\s+this\b|\bat\s+the\s+start\b|\bbefore\s+this\b|\bword\s+for\s+word\b|\bverbatim\b)"
        + @"|\b(?:muestra|repite|imprime|dime|copia|revela|montre|affiche|repete|recopie|donne|revele|zeig|zeige|gib|wiederhole|nenne|verrate|mostre|repita|imprima|diga|copie)\b[^.!?\n]{0,40}?(?:instrucciones|prompt|consignes|instructions|anweisungen|systemanweisungen|systemprompt|vorgaben|instrucoes|orientacoes)\b"
        + @"|(?:显示|顯示|输出|輸出|告诉我|告訴我|复述|複述|重复|重複|打印|列出)[^。\n]{0,10}(?:你的|给你的|給你的|原始|系统|系統)[^。\n]{0,6}(?:指令|提示|规则|規則|设定|設定|说明|說明)|(?:اكشف|اظهر|اطبع|اعرض|كرر|اخبرني)\s+(?:\S+\s+){0,3}?(?:تعليماتك|التعليمات|موجه))";

    private const string RevealScope =
        @"(?:\byou\b|\byour\b|\bthis\s+note\b|\bcontext\b|\bstart\b|\bword\s+for\s+word\b|\bverbatim\b|\btus\b|\btu\b|\bsistema\b|\bton\b|\btes\b|\bvos\b|\bsysteme\b|\bdeine\b|\bihre\b|\bwortlich\b|\bseu\b|\bsuas\b|\boriginales\b|\binitiales\b|\bliteral\w*\b|\btextual\w*\b|mot\s+pour\s+mot|palavra\s+por\s+palavra|systemanweisung|systemprompt|你的|系统|系統|تعليماتك|النظام)";

    private const string SystemInstructions =
        @"(?:\bsystem\s*anweisung\w*|\binstrucciones\s+del\s+sistema\b|\bconsignes\s+(?:du\s+)?systeme\b|\binstructions\s+(?:du\s+)?systeme\b|\binstrucoes\s+do\s+sistema\b|系统指令|系統指令|系统提示|系統提示|تعليمات\s+النظام)";

    private const string ActiveMarkup =
        @"(?:<\s*/?\s*(?:object|embed|video|audio|source|math|details|marquee|frameset|frame|applet|template|button|textarea|select|isindex|xmp|noscript|portal|animate|image|use|foreignobject|svg|script|iframe|img|body|html|meta|link|base|form|input|style)\b|<[a-z][^<>\n]{0,200}?\bon[a-z]{3,}\s*=|<!--|\bdecode\s+(?:\w+\s+)?(?:and|then)\s+(?:follow|execute|run|obey|apply|do)\b)";

    private static readonly Regex RxMachineStrong = Rx(MachineStrong);
    private static readonly Regex RxVocative = Rx(
        $@"{Greeting}[\s,]*(?:(?:the|la|el|le|l'|die|der|das|den|o|a|any|every|my|our|all)\s+)?(?:[\w.'-]+\s+){{0,2}}?(?:{MachineStrong}|{MachineWeak})"
        + $@"|^\s*(?:p\.?\s?s\.?\s+)?(?:to|for|para|a|pour|an|fur|ao|al|aux)\s+(?:(?:the|any|every|whichever|all|el|la|le|l'|den|die|o|a)\s+)?(?:[\w'-]+\s+){{0,2}}?{MachineStrong}"
        + $@"|(?:{MachineStrong}|\b(?:any|every|each|all|the)\s+{MachineWeak})\s*,?\s+(?:(?:that|which|who)\s+)?(?:reading|reads|processing|processes|parsing|summari[sz]ing|summari[sz]es|drafting|drafts|writing|writes|generating|generates|seeing|sees)\s+(?:this|these|the|my|our)\b"
        + $@"|^\s*(?:[\w'-]+\s+){{0,2}}?(?:{MachineStrong})\s*[,:—–]"
        + @"|\bque\s+(?:lea|procese|resuma|genere)\s+(?:esta|este|estas)\b|\bqui\s+(?:lit|traite|resume|genere)\s+(?:cette|ce|ces)\b|\b(?:die|der|das)\s+(?:diese[nsr]?)\s+\w+\s+(?:liest|verarbeitet|zusammenfasst)\b|\bque\s+(?:le|leia|processa|processe|resume|resuma)\s+(?:esta|este|estas)\b"
        + $@"|(?:{MachineStrong}|助手|模型)[^。\n]{{0,4}}?(?:请注意|請注意|注意)|(?:阅读|閱讀|读取|讀取|处理|處理)(?:这|這|本)|\bالذي\s+يقرا|\bالتي\s+تقرا");
    private static readonly Regex RxWhoever = Rx(@"\b(?:whoever|whatever|anyone|anything|whichever\s+\w+)\s+(?:or\s+\w+\s+)?(?:writes?|generates?|produces?|drafts?|summari[sz]es?|turns|reads?|processes|compiles?|creates?)\b");
    private static readonly Regex RxMachineSubject = Rx(
        $@"(?:{MachineStrong}|\b(?:the|this|your|la|el|le|o|a|der|die|das)\s+{MachineWeak}|助手|模型|المساعد|النموذج)\s*(?:[\w-]+\s+){{0,3}}?{Modal}\s*(?:\w+\s+){{0,2}}?{RequestVerb}");
    private static readonly Regex RxTarget = Rx(OutputTarget);
    private static readonly Regex RxOmit = Rx(Omit);
    private static readonly Regex RxAssert = Rx(Assert);
    private static readonly Regex RxStatusAs = Rx(StatusAs);
    private static readonly Regex RxStatusWord = Rx(@"\b" + StatusWord + @"\b|签署|簽署|审核|審核|批准|موقع|معتمد|مراجع");
    private static readonly Regex RxNoHuman = Rx(NoHuman);
    private static readonly Regex RxExempt = Rx(@"\bexempt\s+from\s+(?:\w+\s+)?(?:checks?|review|verification|warnings?)\b|\b(?:disable|turn\s+off|switch\s+off|suppress|silence|mute|bypass)\s+(?:\w+\s+){0,2}?(?:warnings?|verification|validation|citations?|safety\s+checks?)\b");
    private static readonly Regex RxAnswerWith = Rx(@"(?:^\s*|[:;,]\s*|\bplease\s+|\bjust\s+|\bonly\s+)(?:respond|reply|answer)\s+(?:only\s+)?(?:with|in|using)\b|\b(?:responde|contesta|reponds|repondez|antworte|responda)\s+(?:solo\s+|seulement\s+|nur\s+|apenas\s+)?(?:con|avec|mit|com)\b|只回答|只回复|أجب\s+فقط");
    private static readonly Regex RxStatusAction = Rx(StatusAction);
    private static readonly Regex RxCite = Rx(Cite);
    private static readonly Regex RxCiteContext = Rx(CiteContext);
    private static readonly Regex RxDismiss = Rx(Dismiss);
    private static readonly Regex RxGuidance = Rx(Guidance);
    private static readonly Regex RxGuidanceScope = Rx(GuidanceScope);
    private static readonly Regex RxOverrideVerb = Rx(OverrideVerb);
    private static readonly Regex RxNullify = Rx(Nullify);
    private static readonly Regex RxPrecedence = Rx(Precedence);
    private static readonly Regex RxClinicalSubject = Rx(ClinicalSubject);
    private static readonly Regex RxTopicAfter = Rx(@"^\s*(?:about|regarding|concerning|re|on|for|relating|related|de|del|sobre|para|sur|concernant|relatives?|zur|zum|bezuglich|uber|acerca|relativas|关于|關於|有关|有關|بخصوص|حول|المتعلق)");
    private static readonly Regex RxPermission = Rx(Permission);
    private static readonly Regex RxPermissionObject = Rx(PermissionObject);
    private static readonly Regex RxRolePlay = Rx(RolePlay);
    private static readonly Regex RxRoleActivity = Rx(RoleActivity);
    private static readonly Regex RxRoleAssignment = Rx(RoleAssignment);

    /// <summary>The reader's own output as the object of the request: "you will answer only in French", "you must
    /// respond with", "you shall output" (a patient is told "you will need insulin", not "you will answer").</summary>
    private static readonly Regex RxYouProduce = Rx(@"\byou\s+(?:will|shall|must|should|are\s+to|have\s+to)\s+(?:now\s+|only\s+|always\s+)*(?:answer|respond|reply|output|generate|summari[sz]e)\b");
    private static readonly Regex RxReveal = Rx(Reveal);
    private static readonly Regex RxRevealScope = Rx(RevealScope);
    private static readonly Regex RxSystemInstructions = Rx(SystemInstructions);
    private static readonly Regex RxActiveMarkup = Rx(ActiveMarkup);
    private static readonly Regex RxDelimiter = Rx(@"\b(?:end\s+of\s+(?:the\s+)?(?:note|document|record|data|input|context|text|patient\s+data|clinical\s+notes?)|(?:note|document|data|input|context)\s+ends\s+here)\b|</\s*(?:note|document|data|context|input|record|notes|patient)\s*>|\bnote\s+[a-z]{0,2}\d{1,4}\s*>>>|<<<|>>>\s*$|\b(?:fin\s+de\s+la\s+nota|fin\s+de\s+la\s+note|ende\s+der\s+notiz|fim\s+da\s+nota)\b|笔记结束|记录结束|نهاية\s+الملاحظة");

    /// <summary>Runs of base64 (in the original text: case matters).</summary>
    [GeneratedRegex(@"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{20,}={0,2}(?![A-Za-z0-9+/=])", RegexOptions.CultureInvariant, Infrastructure.RegexLimits.MatchTimeoutMilliseconds)]
    private static partial Regex Base64Run();

    /// <summary>Character references, percent escapes and \u escapes, three or more in a row.</summary>
    [GeneratedRegex(@"(?:&#x?[0-9a-fA-F]{1,6};\s?){3,}|(?:%[0-9a-fA-F]{2}){3,}|(?:\\u[0-9a-fA-F]{4}){3,}|(?:\\x[0-9a-fA-F]{2}){3,}", RegexOptions.CultureInvariant, Infrastructure.RegexLimits.MatchTimeoutMilliseconds)]
    private static partial Regex EscapedRun();

    /// <summary>The structural layer over the normalised text; <paramref name="add"/> receives rule, start and length
    /// in <see cref="NormalizedText.Text"/>. Returns false when a pattern ran out of time.</summary>
    private static bool ScanStructure(NormalizedText n, Action<string, int, int> add)
    {
        try
        {
            var sentences = Sentence().Matches(n.Text).Select(m => (Start: m.Index, Text: m.Value)).ToList();
            for (var i = 0; i < sentences.Count; i++)
            {
                var (start, s) = sentences[i];
                ScanSentence(s, start, i, sentences, add);
            }

            var markup = RxActiveMarkup.Match(n.Text);
            if (markup.Success) add("markup", markup.Index, markup.Length);

            // A fake end of the note (or of the prompt's data block) with more text after it.
            var delimiter = RxDelimiter.Match(n.Text);
            if (delimiter.Success && n.Text[(delimiter.Index + delimiter.Length)..].Count(char.IsLetter) >= 15)
                add(DelimiterRule, delimiter.Index, delimiter.Length);
            return true;
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private static void ScanSentence(string s, int start, int index, List<(int Start, string Text)> sentences, Action<string, int, int> add)
    {
        void Span(string rule, params Match[] parts)
        {
            var from = parts.Min(p => p.Index);
            var to = parts.Max(p => p.Index + p.Length);
            add(rule, start + from, Math.Max(1, to - from));
        }

        // Who is addressed.
        var vocative = RxVocative.Match(s);
        if (vocative.Success) Span("address-model", vocative);

        var subject = RxMachineSubject.Match(s);
        if (subject.Success) Span("directive-to-ai", subject);
        var answerWith = RxAnswerWith.Match(s);
        if (answerWith.Success) Span("directive-to-ai", answerWith);

        // "Whoever writes the summary …" followed (in this sentence or the next two) by a request about its content.
        var whoever = RxWhoever.Match(s);
        if (whoever.Success)
        {
            for (var k = index; k < Math.Min(sentences.Count, index + 3); k++)
            {
                var text = sentences[k].Text;
                var request = FirstOf(text, RxOmit, RxAssert, RxStatusAs, RxCite, RxDismiss, RxNoHuman);
                if (request is null) continue;
                var end = sentences[k].Start + request.Index + request.Length;
                add("address-model", start + whoever.Index, Math.Max(1, end - start - whoever.Index));
                break;
            }
        }

        // A vocative to a machine followed by a request in the next sentences keeps the whole instruction in view.
        var target = RxTarget.Match(s);
        var omit = RxOmit.Match(s);
        var assert = RxAssert.Match(s);
        if (target.Success && omit.Success && !SubjectBefore(s, omit.Index)) Span("output-manipulation", target, omit);
        else if (target.Success && assert.Success) Span("output-manipulation", target, assert);

        // Status of the output, and the human review.
        var statusAs = RxStatusAs.Match(s);
        var noHuman = RxNoHuman.Match(s);
        var statusAction = RxStatusAction.Match(s);
        var exempt = RxExempt.Match(s);
        if (statusAs.Success && target.Success) Span("status-change", target, statusAs);
        else if (noHuman.Success && (target.Success || RxStatusWord.IsMatch(s) || statusAction.Success)) Span("status-change", noHuman);
        else if (statusAction.Success && target.Success && statusAction.Index < target.Index) Span("status-change", statusAction, target);
        else if (exempt.Success) Span("status-change", exempt);

        // Citations steered.
        var cite = RxCite.Match(s);
        if (cite.Success && RxCiteContext.IsMatch(s)) Span("citation-manipulation", cite);

        // The reader's guidance ignored or voided.
        var overrideVerb = RxOverrideVerb.Match(s);
        if (overrideVerb.Success && !SubjectBefore(s, overrideVerb.Index))
        {
            var guidance = RxGuidance.Match(s, overrideVerb.Index + overrideVerb.Length);
            if (guidance.Success && guidance.Index - (overrideVerb.Index + overrideVerb.Length) <= 60
                && RxGuidanceScope.IsMatch(s[overrideVerb.Index..Math.Min(s.Length, guidance.Index + guidance.Length + 40)])
                && !RxTopicAfter.IsMatch(s[(guidance.Index + guidance.Length)..]))
            {
                Span("override-instructions", overrideVerb, guidance);
            }
            else
            {
                // Verb after its object ("Beachte die Anweisungen nicht", "不要再按照原来的规则").
                var before = RxGuidance.Match(s);
                if (before.Success && before.Index < overrideVerb.Index && overrideVerb.Index - before.Index <= 60 && RxGuidanceScope.IsMatch(s[..overrideVerb.Index]))
                    Span("override-instructions", before, overrideVerb);
            }
        }
        var voided = RxGuidance.Match(s);
        if (voided.Success && !SubjectBefore(s, voided.Index))
        {
            var nullify = RxNullify.Match(s, voided.Index + voided.Length);
            if (nullify.Success && nullify.Index - voided.Index <= 80 && RxGuidanceScope.IsMatch(s[..nullify.Index]))
                Span("override-instructions", voided, nullify);
        }
        var precedence = RxPrecedence.Match(s);
        if (precedence.Success) Span("override-instructions", precedence);

        // Permission claimed for the reader ("the model is permitted to drop citations").
        var permission = RxPermission.Match(s);
        if (permission.Success && RxPermissionObject.IsMatch(s)) Span("role-claim", permission);

        var rolePlay = RxRolePlay.Match(s);
        if (rolePlay.Success) Span("role-change", rolePlay);
        else if (RxRoleActivity.Match(s) is { Success: true } activity && Passes(Gate.Role, start + activity.Index, sentences)) Span("role-change", activity);

        var reveal = RxReveal.Match(s);
        if (reveal.Success && RxRevealScope.IsMatch(s)) Span("reveal", reveal);
        var systemInstructions = RxSystemInstructions.Match(s);
        if (systemInstructions.Success) Span("system-prompt", systemInstructions);
    }

    /// <summary>What a first-round phrase rule needs besides its own match, so that it asks no less than the structural
    /// layer: <see cref="Gate.Reader"/> — an automated reader addressed in the match's sentence or the two before it,
    /// or the generated output targeted in its sentence (a status, a signature, a dictated content or a bare key is
    /// otherwise ward writing about the ward's own charts: "Mark the fluid chart as complete", "Say the results are
    /// normal to the GP"); <see cref="Gate.Role"/> — the same, or a role assigned to the reader in the sentence (role
    /// play, pretending and "from now on" otherwise describe an activity or a time: "Role play used in the group
    /// session", "从现在开始每小时记录尿量").</summary>
    internal enum Gate { None, Reader, Role }

    /// <summary>Whether a match at <paramref name="index"/> of the normalised text satisfies <paramref name="gate"/>.</summary>
    private static bool Passes(Gate gate, int index, List<(int Start, string Text)> sentences)
    {
        if (gate == Gate.None) return true;
        if (sentences.Count == 0) return false;
        var k = sentences.FindLastIndex(x => x.Start <= index);
        if (k < 0) k = 0;
        var sentence = sentences[k].Text;
        if (RxTarget.IsMatch(sentence) || RxYouProduce.IsMatch(sentence)) return true;
        for (var j = Math.Max(0, k - 2); j <= k; j++)
        {
            if (AddressesReader(sentences[j].Text)) return true;
        }
        return gate == Gate.Role && RxRoleAssignment.IsMatch(sentence);
    }

    /// <summary>An automated reader named or spoken to: the structural layer's vocative, machine subject, "whoever
    /// writes", "respond with", or a term that names a machine whatever the context.</summary>
    private static bool AddressesReader(string sentence) =>
        RxVocative.IsMatch(sentence) || RxMachineSubject.IsMatch(sentence) || RxWhoever.IsMatch(sentence)
        || RxAnswerWith.IsMatch(sentence) || RxMachineStrong.IsMatch(sentence);

        private static Match? FirstOf(string text, params Regex[] patterns)
    {
        Match? first = null;
        foreach (var p in patterns)
        {
            var m = p.Match(text);
            if (m.Success && (first is null || m.Index < first.Index)) first = m;
        }
        return first;
    }

    /// <summary>True when a clinical subject (the patient, a relative, "told to") stands before the request in its
    /// sentence: the request is then reported, not addressed to the reader.</summary>
    private static bool SubjectBefore(string sentence, int index) => RxClinicalSubject.IsMatch(sentence[..index]);

    /// <summary>Words written with letters from two alphabets ("Lеаvе" with Cyrillic е and а), and letters in
    /// styled forms (mathematical or full-width letters): a clinical note has no reason for either. Returns the span
    /// in the original text, or null.</summary>
    private static (int Start, int End)? DisguisedLetters(string original)
    {
        int styled = 0, mixedWords = 0, first = -1, last = -1;
        int wordStart = -1;
        bool latin = false, other = false;
        void EndWord(int end)
        {
            if (wordStart >= 0 && latin && other)
            {
                mixedWords++;
                if (first < 0) first = wordStart;
                last = end;
            }
            wordStart = -1;
            latin = other = false;
        }

        var i = 0;
        while (i < original.Length)
        {
            var status = Rune.DecodeFromUtf16(original.AsSpan(i), out var rune, out var consumed);
            var at = i;
            i += consumed;
            if (status != System.Buffers.OperationStatus.Done) continue;
            var v = rune.Value;
            if (v is (>= 0x1D400 and <= 0x1D7FF) or (>= 0xFF21 and <= 0xFF3A) or (>= 0xFF41 and <= 0xFF5A))
            {
                styled++;
                if (first < 0) first = at;
                last = i;
            }
            if (!Rune.IsLetter(rune))
            {
                EndWord(at);
                continue;
            }
            if (wordStart < 0) wordStart = at;
            if (v < 0x250) latin = true;
            else if (v is (>= 0x370 and <= 0x3FF) or (>= 0x400 and <= 0x4FF) && v is not 0x3BC) other = true; // μ (micro) is clinical
        }
        EndWord(original.Length);
        return styled >= 4 || mixedWords >= 2 ? (first, last) : null;
    }

    /// <summary>Encoded text in <paramref name="original"/> that decodes to words: base64 runs, character references,
    /// percent and \u escapes. Yields the span and the decoded text.</summary>
    private static IEnumerable<(int Start, int Length, string Decoded)> EncodedRuns(string original)
    {
        foreach (Match m in Base64Run().Matches(original))
        {
            var run = m.Value.TrimEnd('=');
            if (!run.Any(char.IsUpper) || !run.Any(char.IsLower)) continue;
            var padded = run + new string('=', (4 - run.Length % 4) % 4);
            byte[] bytes;
            try { bytes = Convert.FromBase64String(padded); }
            catch (FormatException) { continue; }
            var decoded = Encoding.UTF8.GetString(bytes);
            if (ReadsAsWords(decoded)) yield return (m.Index, m.Length, decoded);
        }
        foreach (Match m in EscapedRun().Matches(original))
        {
            var decoded = m.Value.StartsWith('&') ? System.Net.WebUtility.HtmlDecode(m.Value)
                : m.Value.StartsWith('%') ? Uri.UnescapeDataString(m.Value)
                : Regex.Unescape(m.Value);
            if (ReadsAsWords(decoded)) yield return (m.Index, m.Length, decoded);
        }
    }

    /// <summary>Mostly letters and spaces, with at least two spaces: text, not an identifier or a hash.</summary>
    private static bool ReadsAsWords(string decoded)
    {
        if (decoded.Length < 8) return false;
        var letters = decoded.Count(char.IsLetter);
        var spaces = decoded.Count(c => c == ' ');
        var control = decoded.Count(c => char.IsControl(c) && c != '\n' || c == '\uFFFD');
        return control == 0 && spaces >= 2 && (letters + spaces) >= decoded.Length * 0.8;
    }
}
