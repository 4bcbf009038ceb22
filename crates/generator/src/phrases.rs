//! Phrase tables of the genre, written for this generator: generic wording of the kind every
//! rectification report uses, no sentence taken from a real report. Places and people are
//! invented (cities from two uncommon characters, people as 某某).

/// First and second characters of the invented city names (16 × 12 names, all distinct).
pub(crate) const CITY_FIRST: [&str; 16] =
    ["青", "岚", "汀", "澄", "栖", "苇", "枫", "棠", "桐", "杉", "荇", "柘", "蘅", "蓼", "槿", "蒹"];
pub(crate) const CITY_SECOND: [&str; 12] = ["禾", "川", "桦", "屿", "梧", "塘", "渚", "溪", "岭", "浦", "洲", "原"];

pub(crate) const DISTRICTS: [&str; 12] = [
    "河西区",
    "东湖区",
    "城南区",
    "北苑区",
    "新华区",
    "滨江区",
    "江北区",
    "西山区",
    "临湖区",
    "桥东区",
    "南岗区",
    "云台区",
];

pub(crate) const STREETS: [&str; 14] =
    ["文昌", "东湖", "新华", "长乐", "和平", "迎春", "滨江", "朝阳", "永安", "兴华", "明珠", "清风", "柳营", "望江"];

pub(crate) const ROADS: [&str; 10] =
    ["文昌路", "人民路", "建设大道", "解放路", "中山路", "府前街", "胜利路", "滨河路", "新华街", "学府路"];

/// Surnames for the invented people (written 某某, as published reports do).
pub(crate) const SURNAMES: [&str; 48] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于",
    "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
];

/// A government department of a city or a district.
pub(crate) struct Bureau {
    pub name: &'static str,
    pub short: &'static str,
    /// Its line of work, used in the problems about duties.
    pub business: &'static [&'static str],
    pub offices: &'static [&'static str],
    /// An earlier name, for the units renamed between inspection and report.
    pub former: Option<&'static str>,
}

const fn bureau(
    name: &'static str,
    short: &'static str,
    business: &'static [&'static str],
    offices: &'static [&'static str],
    former: Option<&'static str>,
) -> Bureau {
    Bureau { name, short, business, offices, former }
}

pub(crate) const BUREAUS: [Bureau; 24] = [
    bureau(
        "住房和城乡建设局",
        "住建局",
        &["老旧小区改造", "建筑市场监管", "保障性住房管理", "物业服务监管"],
        &["建筑市场科", "住房保障科", "物业管理科"],
        Some("住房和城乡建设委员会"),
    ),
    bureau(
        "卫生健康委员会",
        "卫健委",
        &["公立医院综合改革", "基层医疗卫生服务", "医疗机构监管", "公共卫生应急体系建设"],
        &["医政医管科", "基层卫生科", "疾病预防控制科"],
        None,
    ),
    bureau(
        "教育局",
        "教育局",
        &["义务教育优质均衡发展", "校外培训机构治理", "校园安全管理", "教师队伍建设"],
        &["基础教育科", "学校安全管理科", "教师工作科"],
        None,
    ),
    bureau(
        "民政局",
        "民政局",
        &["养老服务体系建设", "社会救助", "社会组织管理", "殡葬管理"],
        &["养老服务科", "社会救助科", "社会组织管理科"],
        None,
    ),
    bureau(
        "财政局",
        "财政局",
        &["预算绩效管理", "政府债务管理", "行政事业单位国有资产监管", "财政资金直达"],
        &["预算科", "国库科", "绩效评价科"],
        None,
    ),
    bureau(
        "人力资源和社会保障局",
        "人社局",
        &["就业创业服务", "社会保险基金监管", "根治欠薪", "职业技能培训"],
        &["就业促进科", "社会保险基金监督科", "劳动保障监察大队"],
        None,
    ),
    bureau(
        "自然资源和规划局",
        "自然资源局",
        &["耕地保护", "国土空间规划实施", "土地出让管理", "违法用地查处"],
        &["耕地保护科", "规划管理科", "土地利用科"],
        Some("国土资源局"),
    ),
    bureau(
        "生态环境局",
        "生态环境局",
        &["大气污染防治", "水污染防治", "环境执法监管", "固体废物处置"],
        &["大气环境科", "水生态环境科", "生态环境综合执法大队"],
        Some("环境保护局"),
    ),
    bureau(
        "交通运输局",
        "交通局",
        &["农村公路建设", "交通运输安全监管", "公交运营补贴管理", "交通工程质量监管"],
        &["公路建设科", "运输管理科", "安全监督科"],
        None,
    ),
    bureau(
        "水务局",
        "水务局",
        &["河湖长制落实", "防汛抗旱", "供水安全保障", "水利工程建设管理"],
        &["河湖管理科", "水旱灾害防御科", "建设管理科"],
        Some("水利局"),
    ),
    bureau(
        "农业农村局",
        "农业农村局",
        &["高标准农田建设", "衔接推进乡村振兴资金管理", "农村人居环境整治", "农产品质量安全监管"],
        &["农田建设管理科", "乡村发展科", "农产品质量安全监管科"],
        Some("农业局"),
    ),
    bureau(
        "商务局",
        "商务局",
        &["招商引资", "消费市场培育", "外贸稳增长", "商贸流通体系建设"],
        &["投资促进科", "市场运行科", "对外贸易科"],
        None,
    ),
    bureau(
        "文化广电和旅游局",
        "文旅局",
        &["公共文化服务", "文物保护利用", "旅游市场监管", "文化市场综合执法"],
        &["公共服务科", "文物科", "市场管理科"],
        None,
    ),
    bureau(
        "市场监督管理局",
        "市场监管局",
        &["食品安全监管", "特种设备安全监管", "价格监督检查", "知识产权保护"],
        &["食品生产安全监督管理科", "特种设备安全监察科", "价格监督检查科"],
        None,
    ),
    bureau(
        "应急管理局",
        "应急局",
        &["安全生产监管", "防灾减灾救灾", "应急物资储备", "危险化学品监管"],
        &["安全生产基础科", "防灾减灾科", "危险化学品监管科"],
        Some("安全生产监督管理局"),
    ),
    bureau(
        "城市管理局",
        "城管局",
        &["市容环境整治", "违法建设治理", "生活垃圾分类", "城市管理综合执法"],
        &["市容环境科", "执法督察科", "环境卫生管理科"],
        None,
    ),
    bureau(
        "退役军人事务局",
        "退役军人局",
        &["退役军人安置", "优抚政策落实", "退役军人服务保障体系建设"],
        &["移交安置科", "优抚科", "服务保障科"],
        None,
    ),
    bureau(
        "医疗保障局",
        "医保局",
        &["医保基金监管", "药品耗材集中带量采购", "医保经办服务"],
        &["基金监管科", "医药价格和招标采购科", "待遇保障科"],
        None,
    ),
    bureau(
        "统计局",
        "统计局",
        &["统计数据质量", "统计执法监督", "统计调查"],
        &["综合科", "执法监督科", "调查科"],
        None,
    ),
    bureau(
        "司法局",
        "司法局",
        &["法治政府建设", "公共法律服务", "人民调解", "社区矫正"],
        &["法治督察科", "公共法律服务科", "社区矫正科"],
        None,
    ),
    bureau(
        "国防动员办公室",
        "国动办",
        &["人防工程建设管理", "人防警报设施维护", "国防动员潜力调查"],
        &["人防工程科", "指挥通信科", "综合保障科"],
        Some("人民防空办公室"),
    ),
    bureau(
        "发展和改革委员会",
        "发改委",
        &["重大项目推进", "价格管理", "粮食和物资储备", "社会信用体系建设"],
        &["重大项目科", "价格科", "粮食和物资储备科"],
        None,
    ),
    bureau(
        "科学技术局",
        "科技局",
        &["科技计划项目管理", "高新技术企业培育", "科技成果转化"],
        &["项目管理科", "高新技术科", "成果转化科"],
        None,
    ),
    bureau(
        "审计局",
        "审计局",
        &["审计项目质量管理", "审计整改督促", "经济责任审计"],
        &["法规审理科", "经济责任审计科", "财政审计科"],
        None,
    ),
];

/// Offices every government department has.
pub(crate) const BUREAU_COMMON_OFFICES: [&str; 5] = ["办公室", "机关党委", "人事科", "财务科", "法规科"];

/// A state-owned enterprise of a city: (name, short name, business).
pub(crate) const ENTERPRISES: [(&str, &str, &[&str]); 6] = [
    ("城市建设投资集团有限公司", "城投集团", &["国有资产保值增值", "工程项目招投标管理", "融资债务风险防控"]),
    ("水务集团有限公司", "水务集团", &["供水管网改造", "水费收缴管理", "供水安全生产"]),
    ("交通投资集团有限公司", "交投集团", &["重大交通项目建设", "投资决策管理", "子公司管控"]),
    ("文化旅游发展集团有限公司", "文旅集团", &["景区运营管理", "国有资产出租管理", "投资项目管理"]),
    ("国有资本运营有限公司", "国资运营公司", &["国有资本运营", "投资风险防控", "参股企业监管"]),
    ("公共交通集团有限公司", "公交集团", &["公交运营服务", "车辆采购管理", "客运安全生产"]),
];
pub(crate) const ENTERPRISE_OFFICES: [&str; 9] = [
    "党群工作部",
    "纪检监察室",
    "人力资源部",
    "财务部",
    "审计部",
    "综合办公室",
    "工程管理部",
    "投资发展部",
    "运营管理部",
];

/// Colleges of a city: (name suffix after the city, short name).
pub(crate) const COLLEGES: [(&str, &str); 3] =
    [("职业技术学院", "职院"), ("师范学院", "师院"), ("理工学院", "理工学院")];
pub(crate) const COLLEGE_BUSINESS: [&str; 5] =
    ["立德树人根本任务落实", "学科专业建设", "科研经费管理", "校园基建项目管理", "学生资助管理"];
pub(crate) const COLLEGE_OFFICES: [&str; 10] = [
    "党委办公室",
    "组织部",
    "宣传部",
    "纪委办公室",
    "财务处",
    "教务处",
    "学生工作部",
    "资产管理处",
    "基建处",
    "科研处",
];

/// Hospitals of a city: (name suffix after "…市", short name).
pub(crate) const HOSPITALS: [(&str, &str); 3] =
    [("第一人民医院", "市一院"), ("中医医院", "市中医院"), ("妇幼保健院", "市妇幼保健院")];
pub(crate) const HOSPITAL_BUSINESS: [&str; 4] = ["医疗服务质量管理", "医保基金使用", "药品耗材采购", "医德医风建设"];
pub(crate) const HOSPITAL_OFFICES: [&str; 8] =
    ["党委办公室", "院长办公室", "医务科", "财务科", "纪检监察室", "人事科", "设备科", "药剂科"];

pub(crate) const STREET_BUSINESS: [&str; 4] = ["社区治理", "城市精细化管理", "安全生产网格化监管", "为民服务"];
pub(crate) const STREET_OFFICES: [&str; 6] =
    ["党政办公室", "党建工作办公室", "平安建设办公室", "城市管理办公室", "社区服务中心", "财政所"];

/// Money dealt with by a measure, when a problem is about money.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Money {
    /// 清退
    Refund,
    /// 追缴
    Recover,
    /// 挽回经济损失
    Loss,
}

/// One problem as the feedback phrases it: the title's core, the topic it is about (used in
/// the measures and progress texts), the rule a measure may make, and the money involved.
pub(crate) struct ProblemPhrase {
    pub title: &'static str,
    pub topic: &'static str,
    pub rule: Option<&'static str>,
    pub money: Option<Money>,
}

const fn p(
    title: &'static str,
    topic: &'static str,
    rule: Option<&'static str>,
    money: Option<Money>,
) -> ProblemPhrase {
    ProblemPhrase { title, topic, rule, money }
}

/// An aspect of the feedback with its pool of problems. `business` lists title patterns
/// (`{}` = one line of the unit's work) that add problems about the unit's own duties.
pub(crate) struct AspectPhrase {
    pub title: &'static str,
    pub category: &'static str,
    pub problems: &'static [ProblemPhrase],
    pub business: &'static [&'static str],
}

pub(crate) const ASPECTS: [AspectPhrase; 6] = [
    AspectPhrase {
        title: "关于学习贯彻党的创新理论和落实上级决策部署方面",
        category: "政治建设",
        problems: &[
            p("学习贯彻党的创新理论不够深入系统", "理论学习", Some("党组理论学习中心组学习制度"), None),
            p("落实“第一议题”制度不到位", "“第一议题”学习", Some("“第一议题”制度实施办法"), None),
            p("贯彻落实上级重大决策部署打折扣", "重大决策部署落实", Some("重大决策部署督查督办办法"), None),
            p("意识形态工作责任制落实不到位", "意识形态工作", Some("意识形态工作责任制实施细则"), None),
            p("请示报告制度执行不严格", "请示报告", Some("重大事项请示报告制度"), None),
            p("调查研究流于形式，学用结合不够紧密", "调查研究", Some("调查研究工作制度"), None),
            p("对标对表上级要求存在差距", "对标对表", None, None),
            p("服务发展大局主动性不强", "服务发展大局", None, None),
            p("履行主责主业不够到位", "主责主业", None, None),
            p("理想信念教育抓得不实", "理想信念教育", None, None),
        ],
        business: &["落实上级关于{}的决策部署有差距", "{}工作推进不力"],
    },
    AspectPhrase {
        title: "关于履行职能职责和服务群众方面",
        category: "履职尽责",
        problems: &[
            p("优化营商环境工作不到位", "优化营商环境", Some("优化营商环境工作责任清单"), None),
            p("为民服务意识不强", "为民服务", None, None),
            p("信息化建设滞后", "信息化建设", None, None),
            p("安全生产责任落实不到位", "安全生产", Some("安全生产责任制实施办法"), None),
            p("行政执法不够规范", "行政执法", Some("行政执法全过程记录制度"), None),
            p("群众诉求办理质量不高", "群众诉求办理", None, None),
            p("政务公开不及时不全面", "政务公开", Some("政务公开工作规程"), None),
        ],
        business: &["{}监管存在薄弱环节", "{}政策落实不到位", "{}项目进度滞后"],
    },
    AspectPhrase {
        title: "关于落实全面从严治党“两个责任”方面",
        category: "全面从严治党",
        problems: &[
            p("落实全面从严治党主体责任不到位", "全面从严治党主体责任", Some("全面从严治党主体责任清单"), None),
            p("“一岗双责”履行不到位", "“一岗双责”", None, None),
            p("廉政风险防控存在薄弱环节", "廉政风险防控", Some("廉政风险防控管理办法"), None),
            p("落实中央八项规定精神不够严格", "中央八项规定精神", Some("公务接待管理规定"), Some(Money::Refund)),
            p("违规发放津贴补贴", "津贴补贴发放", Some("津贴补贴发放管理规定"), Some(Money::Refund)),
            p("公务用车管理不规范", "公务用车管理", Some("公务用车管理办法"), Some(Money::Recover)),
            p("财务管理不规范", "财务管理", Some("财务报销管理办法"), Some(Money::Recover)),
            p("政府采购和合同管理不严格", "政府采购和合同管理", Some("政府采购内部控制制度"), Some(Money::Loss)),
            p("国有资产管理不规范", "国有资产管理", Some("国有资产管理办法"), Some(Money::Loss)),
            p("形式主义官僚主义问题仍然存在", "整治形式主义官僚主义", Some("精文简会实施办法"), None),
            p("警示教育针对性不强", "警示教育", None, None),
            p("工程项目管理存在漏洞", "工程项目管理", Some("工程项目管理办法"), Some(Money::Loss)),
            p("违规收取费用", "收费管理", Some("收费管理规定"), Some(Money::Refund)),
        ],
        business: &[],
    },
    AspectPhrase {
        title: "关于领导班子和干部队伍建设方面",
        category: "组织建设",
        problems: &[
            p("民主集中制执行不到位", "民主集中制", Some("党组议事规则"), None),
            p("“三重一大”集体决策制度落实不严格", "“三重一大”决策", Some("“三重一大”事项集体决策实施办法"), None),
            p("选人用人把关不严", "选人用人", Some("干部选拔任用工作规程"), None),
            p("年轻干部培养力度不够", "年轻干部培养", Some("年轻干部培养锻炼实施方案"), None),
            p("干部人事档案管理不规范", "干部人事档案", Some("干部人事档案管理办法"), None),
            p("干部考核激励机制不健全", "干部考核", Some("干部考核评价办法"), None),
            p("干部担当作为不够", "干部担当作为", None, None),
            p("领导干部个人有关事项报告不准确", "个人有关事项报告", None, None),
            p("编外人员管理不规范", "编外人员管理", Some("编外人员管理办法"), None),
            p("干部教育培训针对性不强", "干部教育培训", Some("干部教育培训管理办法"), None),
            p("批评与自我批评开展不充分", "批评与自我批评", None, None),
            p("干部兼职管理不严格", "干部兼职管理", Some("领导干部兼职管理规定"), Some(Money::Refund)),
        ],
        business: &[],
    },
    AspectPhrase {
        title: "关于基层党组织建设方面",
        category: "基层党建",
        problems: &[
            p("基层党组织建设薄弱", "基层党组织建设", Some("党支部标准化规范化建设实施方案"), None),
            p("“三会一课”制度落实不到位", "“三会一课”", Some("“三会一课”制度"), None),
            p("党员发展和教育管理不规范", "党员教育管理", Some("发展党员工作细则"), None),
            p("党费收缴管理不规范", "党费收缴", Some("党费收缴使用和管理办法"), Some(Money::Recover)),
            p("组织生活会质量不高", "组织生活会", None, None),
            p("党建与业务融合不够", "党建业务融合", None, None),
            p("党支部换届不及时", "党支部换届", None, None),
            p("党建工作责任制考核流于形式", "党建工作考核", Some("党建工作责任制考核办法"), None),
            p("党员先锋模范作用发挥不明显", "党员先锋模范作用", None, None),
            p("支部书记履职能力不足", "支部书记队伍建设", None, None),
            p("党内政治生活不够严肃", "党内政治生活", None, None),
        ],
        business: &[],
    },
    AspectPhrase {
        title: "关于巡视巡察、审计等监督发现问题整改方面",
        category: "整改落实",
        problems: &[
            p("上轮巡察反馈问题整改不彻底", "上轮巡察整改", None, None),
            p("审计发现问题整改不到位", "审计整改", Some("审计整改工作规程"), Some(Money::Recover)),
            p("整改长效机制建设滞后", "整改长效机制", Some("整改日常监督办法"), None),
            p("整改工作存在“纸面整改”现象", "整改实效", None, None),
            p("举一反三不够，同类问题反复出现", "举一反三", None, None),
            p("信访举报反映问题处置不及时", "信访举报处置", Some("信访事项办理工作规程"), None),
            p("主体责任检查发现问题整改滞后", "主体责任检查问题整改", None, None),
            p("整改台账管理不规范", "整改台账", Some("整改台账销号管理办法"), None),
            p("专项治理成果巩固不够", "专项治理", None, None),
            p("群众反映强烈的问题解决不及时", "群众急难愁盼问题", None, None),
        ],
        business: &[],
    },
];

/// Observations that make a problem's description (问题表现).
pub(crate) const OBSERVATIONS: [&str; 12] = [
    "相关制度执行不够严格，存在“上热中温下冷”现象",
    "问题在部分科室（单位）不同程度存在",
    "抽查发现部分事项程序不完整、资料不齐全",
    "工作部署多、跟踪问效少",
    "责任分工不够明确，存在推诿扯皮现象",
    "日常监督检查流于形式，发现问题能力不强",
    "部分干部对问题的严重性认识不足",
    "台账记录不完整，过程资料缺失",
    "上轮巡察指出后仍未根本解决",
    "对下属单位指导督促不够",
    "制度建设滞后于工作实际",
    "个别事项未按规定履行集体研究程序",
];

/// What a measure does; `{t}` is the problem's topic, `{n}` and `{m}` counts, `{u}` the unit's
/// short name, `{d}` a date and `{a}` an amount.
pub(crate) const MEASURE_ACTIONS: [&str; 16] = [
    "召开专题会议传达学习巡察反馈意见，围绕{t}深入查摆问题根源，逐条明确整改责任",
    "组织党组（党委）理论学习中心组开展{t}专题学习研讨{n}次，班子成员逐一交流发言",
    "开展{t}专项检查，对近三年相关事项进行全面排查，发现问题{n}个，已全部建立台账、逐项整改",
    "举办{t}专题培训班{n}期，培训干部职工{m}人次",
    "建立{t}定期调度机制，每季度召开一次专题会议，研究解决重点难点问题",
    "将{t}纳入年度考核和日常监督重点，对落实不力的严肃追责问责",
    "于{d}前完成{t}整改任务，逐项对账销号",
    "梳理{t}相关风险点{n}个，逐一制定防控措施并明确责任人",
    "结合典型案例开展警示教育，组织干部职工{m}人次参加，做到以案促改",
    "对照问题清单开展“回头看”，对{n}项已整改事项进行复查，防止问题反弹",
    "建立{t}工作台账，实行清单化管理、销号式推进",
    "由班子成员带队深入基层开展调研{n}次，形成{t}调研报告并转化为工作举措",
    "组织对下属单位{t}情况开展督导检查，反馈问题{n}个并督促限期整改",
    "完善{t}工作流程，明确{n}个关键环节的责任人和办理时限",
    "在{u}范围内举一反三开展自查自纠，查找同类问题{n}个，已全部整改到位",
    "把{t}纳入党组（党委）会议议事清单，每半年专题听取一次工作汇报",
];

/// A measure that makes or revises a rule; `{r}` is the rule's full title without marks.
pub(crate) const MEASURE_RULES: [&str; 4] = [
    "制定《{r}》，进一步规范工作程序，明确职责分工",
    "修订完善《{r}》，堵塞制度漏洞，确保有章可循",
    "研究出台《{r}》，经党组（党委）会审议通过后印发执行",
    "对照上级要求修订《{r}》，组织全体干部职工学习培训",
];

/// A measure about money; `{a}` is the amount in 万元.
pub(crate) const MEASURE_MONEY: [(Money, &str); 6] = [
    (Money::Refund, "对违规发放的款项进行全面清理，督促相关人员清退资金{a}万元"),
    (Money::Refund, "对不符合规定的费用逐笔核查，已清退{a}万元并上缴财政"),
    (Money::Recover, "对不合规支出开展专项清理，追缴资金{a}万元"),
    (Money::Recover, "督促相关单位和个人退缴违规款项，共追回资金{a}万元"),
    (Money::Loss, "委托第三方机构开展结算审核，核减工程价款，挽回经济损失{a}万元"),
    (Money::Loss, "对合同履行情况逐项复核，追回多付款项，挽回经济损失{a}万元"),
];

/// A measure about holding people to account; `{k}` is the measure's name, `{n}` people.
pub(crate) const MEASURE_ACCOUNTABILITY: [&str; 3] = [
    "对{n}名相关责任人进行{k}，并在全系统通报，以案促改",
    "对负有责任的{n}名干部予以{k}，督促其深刻反思、认真整改",
    "按照干部管理权限，对{n}名相关人员{k}",
];

pub(crate) const ENUMERATION: [&str; 6] = ["一是", "二是", "三是", "四是", "五是", "六是"];

/// Accountability measures and how many people they usually concern (low, high).
pub(crate) const ACCOUNTABILITY_KINDS: [(&str, u32, u32, u32); 7] = [
    // name, weight, fewest, most
    ("批评教育", 30, 1, 12),
    ("提醒谈话", 25, 2, 15),
    ("通报批评", 15, 1, 4),
    ("责令检查", 12, 1, 4),
    ("诫勉", 10, 1, 2),
    ("组织处理", 5, 1, 2),
    ("党纪政务处分", 3, 1, 1),
];

/// Progress texts, one table per step of the five. `{t}` topic, `{n}`/`{m}` counts.
pub(crate) const PROGRESS_START: [&str; 5] = [
    "召开专题会议研究{t}整改工作，明确牵头领导和责任科室。",
    "对照反馈意见逐条认领{t}问题，制定整改任务分解表。",
    "成立{t}整改专班，细化{n}项具体任务并明确时间节点。",
    "组织责任部门召开推进会，部署{t}整改工作。",
    "深入分析{t}问题成因，形成问题、任务、责任三张清单。",
];
pub(crate) const PROGRESS_MIDDLE: [&str; 6] = [
    "完成{t}全面排查，梳理问题{n}个，建立整改台账。",
    "已整改问题{m}个，剩余{n}个正按计划推进。",
    "召开调度会听取{t}整改进展，协调解决难点问题{n}个。",
    "对下属单位{t}整改情况开展督导，反馈问题{n}个。",
    "起草相关制度文件初稿，征求意见{m}条。",
    "组织开展专题培训，参训{m}人次。",
];
pub(crate) const PROGRESS_DONE: [&str; 4] = [
    "整改任务已完成，相关佐证材料整理归档，申请对账销号。",
    "经领导小组审核，该项整改已达到销号标准。",
    "整改完成，已形成长效机制并纳入日常管理。",
    "各项任务全部落实，整改情况已在单位内部公示。",
];
pub(crate) const PROGRESS_PENDING: [&str; 2] =
    ["已提交销号申请及佐证材料，待巡察办核验。", "整改完成并报送对账材料，等待核验销号。"];
pub(crate) const PROGRESS_OPEN: [&str; 4] = [
    "目前该项工作正积极推进，已完成阶段性任务。",
    "整改正在推进中，剩余事项已明确完成时限。",
    "部分事项涉及多个部门，正加强沟通协调、加快推进。",
    "已完成主体工作，正在开展验收前的自查。",
];
pub(crate) const PROGRESS_LONG_TERM: [&str; 3] = [
    "已建立长效机制，按季度报告推进情况，持续巩固整改成效。",
    "阶段性目标已实现，纳入年度重点工作常态化推进。",
    "持续开展督促检查，本季度未发现同类问题反弹。",
];
pub(crate) const PROGRESS_EXTENDED: [&str; 2] = [
    "因涉及审批程序较长，经领导小组同意延期整改，正在加快推进。",
    "受项目建设周期影响，已申请延期整改并明确新的完成时限。",
];
pub(crate) const PROGRESS_NOT_STARTED: [&str; 5] = [
    "已与相关部门对接，初步明确实施路径。",
    "正在研究起草实施方案，待党组（党委）会审议。",
    "因需报请上级审批，该项工作尚未启动实施。",
    "已列入下阶段重点工作，正在做好前期准备。",
    "已对接资金和人员保障事项，待条件具备后启动。",
];

/// Evidence kinds: (kind, media type, smallest and largest size in bytes, title pattern).
/// `{t}` topic, `{d}` date in Chinese, `{n}` a count. The voucher comes last: it is only
/// offered for measures about money.
pub(crate) const EVIDENCE: [(&str, &str, u64, u64, &str); 9] = [
    ("会议纪要", "application/pdf", 120_000, 2_400_000, "{d}专题会议纪要"),
    ("通知", "application/pdf", 80_000, 900_000, "关于做好{t}整改工作的通知"),
    ("照片", "image/jpeg", 900_000, 6_500_000, "{t}整改现场照片（{n}张）"),
    (
        "工作台账",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        20_000,
        400_000,
        "{t}问题整改台账",
    ),
    ("报告", "application/pdf", 200_000, 3_000_000, "{t}整改情况报告"),
    ("签到表", "image/jpeg", 400_000, 3_500_000, "{d}培训签到表"),
    (
        "制度文件",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        30_000,
        500_000,
        "{t}相关制度文件汇编",
    ),
    ("检查记录", "application/pdf", 100_000, 1_500_000, "{t}督导检查记录"),
    ("凭证", "application/pdf", 60_000, 800_000, "{t}资金退缴凭证"),
];

pub(crate) const MEETING_DECISIONS: [&str; 6] = [
    "逐条认领反馈问题，形成问题、任务、责任三张清单",
    "成立巡察整改工作领导小组和工作专班",
    "听取各责任部门整改进展汇报，协调解决难点问题",
    "对进度滞后事项进行督办，明确完成时限",
    "研究审议有关制度文件",
    "部署下一阶段整改和成果巩固工作",
];

pub(crate) const CHINESE_NUMBERS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
pub(crate) const TERMS: [&str; 3] = ["十", "十一", "十二"];
