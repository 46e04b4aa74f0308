#!/usr/bin/env python
"""Generate the bundled sample dataset: Liyang, year 2023, in both input forms.

    python scripts/make_sample.py [--seed 2023] [--out-csv data/sample] [--out-xlsx data/sample-workbook]

Writes the four tables of the data contract twice: as CSV files with English headers and the date
spellings real portal exports mix (``data/sample``; ``events.csv`` in GB18030, the others UTF-8
without BOM), and as one workbook with Chinese sheet names, Chinese headers and real Excel date
cells (``data/sample-workbook/sample-2023.xlsx``). Both forms hold the same values, so they load to
the same canonical tables. Each folder also gets the sample marker file ``样例数据.txt`` (the loader
ignores it; a run on a folder holding it marks its output as sample data, which is never published),
and ``data/sample`` gets the quarters' bulletin parameters, ``params/2023Q1.yaml`` … ``2023Q4.yaml``.

The data is invented but shaped like a year of 溧阳市 portal adoptions: units have activity tiers
(a few cap-hitting towns and departments, many mid-range units, some quiet ones), columns, levels,
upgrades, late items, events and targets follow what the method and the bureau's practice make
common or rare. A few situations are placed by hand so that every rule has a case (the year-end
reward, near misses, vetoes, a floored quarter, missed targets); see ``PLACED`` below and
``data/sample/README.md``.

Deterministic: numpy ``default_rng(seed)`` is the only source of randomness, every output is sorted,
CSV line endings are ``\\n``, and the workbook has fixed document properties and zip entry times, so
the same seed gives the same bytes.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scoring.inputs import schema
from scoring.run.folder import SAMPLE_MARKER

YEAR = 2023
SEED = 2023
WORKBOOK_NAME = f"sample-{YEAR}.xlsx"
GB18030_TABLES = ("events",)          # the CSV files written in GB18030 (Excel on Chinese Windows)

TOWN, DEPT, MASS = "镇区街道", "市级机关部门", "群团"

# ---------------------------------------------------------------------------------------------
# The unit register: (id, name, category, tier, aliases). Ids keep their leading zeros.
# Tiers set how much a unit publishes (see TIERS); aliases are the names portal exports use.
# ---------------------------------------------------------------------------------------------
UNITS = [
    ("0101", "昆仑街道", TOWN, "star", "昆仑街道办事处;溧阳市昆仑街道"),
    ("0102", "溧城街道", TOWN, "star", "溧城街道办事处"),
    ("0103", "古县街道", TOWN, "active", "古县街道办事处"),
    ("0104", "埭头镇", TOWN, "moderate", ""),
    ("0105", "上黄镇", TOWN, "moderate", ""),
    ("0106", "戴埠镇", TOWN, "active", ""),
    ("0107", "天目湖镇", TOWN, "star", "溧阳市天目湖镇"),
    ("0108", "别桥镇", TOWN, "moderate", ""),
    ("0109", "上兴镇", TOWN, "moderate", ""),
    ("0110", "竹箦镇", TOWN, "active", ""),
    ("0111", "南渡镇", TOWN, "active", ""),
    ("0112", "社渚镇", TOWN, "moderate", ""),
    ("0113", "溧阳高新区", TOWN, "star", "溧阳高新技术产业开发区"),
    ("0114", "溧阳经济开发区", TOWN, "active", "江苏溧阳经济开发区"),
    ("0115", "天目湖旅游度假区", TOWN, "active", "江苏省溧阳天目湖旅游度假区、天目湖度假区"),
    ("0116", "现代农业产业示范园", TOWN, "low", "溧阳市现代农业产业示范园"),
    ("0201", "市发改委", DEPT, "star", "溧阳市发展和改革委员会;市发展改革委"),
    ("0202", "市教育局", DEPT, "active", "溧阳市教育局"),
    ("0203", "市公安局", DEPT, "active", "溧阳市公安局"),
    ("0204", "市民政局", DEPT, "moderate", ""),
    ("0205", "市司法局", DEPT, "moderate", ""),
    ("0206", "市财政局", DEPT, "moderate", "溧阳市财政局"),
    ("0207", "市人社局", DEPT, "star", "溧阳市人力资源和社会保障局"),
    ("0208", "市自然资源和规划局", DEPT, "moderate", ""),
    ("0209", "市生态环境局", DEPT, "active", "常州市溧阳生态环境局"),
    ("0210", "市住建局", DEPT, "active", "溧阳市住房和城乡建设局"),
    ("0211", "市交通运输局", DEPT, "moderate", ""),
    ("0212", "市水利局", DEPT, "moderate", ""),
    ("0213", "市农业农村局", DEPT, "active", ""),
    ("0214", "市商务局", DEPT, "moderate", ""),
    ("0215", "市文体广旅局", DEPT, "moderate", "溧阳市文化体育广电和旅游局"),
    ("0216", "市卫健委", DEPT, "active", "溧阳市卫生健康委员会"),
    ("0217", "市退役军人事务局", DEPT, "low", ""),
    ("0218", "市应急管理局", DEPT, "active", ""),
    ("0219", "市审计局", DEPT, "low", ""),
    ("0220", "市市场监管局", DEPT, "active", "溧阳市市场监督管理局"),
    ("0221", "市统计局", DEPT, "moderate", ""),
    ("0222", "市医保局", DEPT, "moderate", ""),
    ("0223", "市城管局", DEPT, "moderate", "溧阳市城市管理局"),
    ("0224", "市行政审批局", DEPT, "active", ""),
    ("0225", "市大数据管理局", DEPT, "moderate", "溧阳市大数据管理局、市数据局"),
    ("0226", "市信访局", DEPT, "low", ""),
    ("0227", "市机关事务管理局", DEPT, "low", ""),
    ("0228", "市工信局", DEPT, "moderate", ""),
    ("0229", "市科技局", DEPT, "moderate", ""),
    ("0230", "市供销总社", DEPT, "low", ""),
    ("0231", "市住房公积金中心", DEPT, "low", "常州市住房公积金管理中心溧阳分中心"),
    ("0232", "市税务局", DEPT, "moderate", "国家税务总局溧阳市税务局"),
    ("0233", "市气象局", DEPT, "low", "溧阳市气象局"),
    ("0234", "市消防救援大队", DEPT, "moderate", ""),
    ("0235", "市人防办", DEPT, "low", ""),
    ("0301", "市总工会", MASS, "moderate", "溧阳市总工会"),
    ("0302", "团市委", MASS, "moderate", "共青团溧阳市委员会"),
    ("0303", "市妇联", MASS, "moderate", "溧阳市妇女联合会"),
    ("0304", "市科协", MASS, "low", ""),
    ("0305", "市文联", MASS, "low", ""),
    ("0306", "市残联", MASS, "low", "溧阳市残疾人联合会"),
    ("0307", "市红十字会", MASS, "low", ""),
    ("0308", "市侨联", MASS, "low", ""),
]

# Mean items per quarter: 要闻动态, 重点领域, key columns; p_city: share of items 常州市 also adopts.
TIERS = {
    "star": dict(news=22.0, zd=7.0, key=0.9, p_city=0.04),
    "active": dict(news=13.0, zd=4.5, key=0.6, p_city=0.03),
    "moderate": dict(news=8.0, zd=2.8, key=0.3, p_city=0.02),
    "low": dict(news=3.5, zd=1.2, key=0.05, p_city=0.01),
}

# Situations placed by hand, so that every rule has a case in the sample.
PLACED = {
    # 江苏省 adoptions (R13): unit → (the 是否约稿 cell of each, "" counts as solicited; the last
    # quarter they fall in, so that a reward can lift a Q4 that would score less than 25).
    "province": {
        "0107": (["是", "", "是", "", "是", ""], 4),     # 天目湖镇: 6 solicited → reward
        "0215": (["是", "", "", "是", ""], 3),           # 市文体广旅局: exactly 5 ("5次以上" includes 5) → reward
        "0102": (["是", "是", "否", "", "是"], 4),       # 溧城街道: 5 rows, one 否 → 4 solicited, no reward
    },
    "empty_informant": ("0116", "0235"),            # register has no informant → no_informant events
    "quiet_quarters": {("0308", 1), ("0307", 3), ("0304", 2)},   # no adoption at all that quarter
    "missed_targets": ("0109", "0230"),             # 上兴镇, 市供销总社
    "no_veto": ("0107", "0215", "0102"),            # reward candidates keep clean records
}

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙朱胡郭何高林罗史狄彭芮蒋潘缪汤濮虞强钱沈")
GIVEN = list("敏静丽军伟芳娟磊勇艳杰涛明超霞平刚桂英华玲燕鹏飞洁婷浩宇晨琳佳欣雪峰俊")

QUARTER_ZH = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}

# ---------------------------------------------------------------------------------------------
# Title templates. {u}: unit name; other fields are drawn from the lists below.
# ---------------------------------------------------------------------------------------------
NEWS_TOWN = [
    "{u}召开2023年{t}工作推进会", "{u}部署{t}工作", "{u}开展{t}专项行动", "{u}扎实推进{t}",
    "{u}召开{q}经济运行分析会", "{u}举办{e}", "{u}{n}个重点项目集中签约", "{u}召开{t}现场会",
    "{u}党委理论学习中心组开展{s}专题学习", "{u}{t}工作取得阶段性成效",
]
NEWS_DEPT = [
    "{u}召开2023年{t}工作会议", "{u}开展{t}专项检查", "{u}召开{q}工作推进会",
    "{u}党组理论学习中心组开展{s}专题学习", "{u}扎实推进{t}", "{u}{x}", "{u}{x}", "{u}{x}",
]
NEWS_MASS = ["{u}{x}", "{u}{x}", "{u}召开2023年{t}工作会议", "{u}开展{s}专题学习"]
TOPIC_TOWN = ["秸秆禁烧", "安全生产", "人居环境整治", "防汛抗旱", "乡村振兴", "招商引资", "森林防火",
              "河长制", "文明城市创建", "基层社会治理", "信访维稳", "高标准农田建设", "耕地保护",
              "垃圾分类", "农村集体“三资”管理", "燃气安全排查整治", "美丽乡村建设", "网格化社会治理"]
TOPIC_DEPT = ["党风廉政建设", "安全生产", "优化营商环境", "作风效能建设", "政务公开", "法治政府建设",
              "意识形态", "信访", "安全生产大检查", "“放管服”改革"]
TOPIC_MASS = ["党风廉政建设", "群团改革", "基层组织建设", "宣传思想"]
EVENTS_TOWN = ["新春送温暖活动", "重阳敬老活动", "全民健身运动会", "农民丰收节活动", "消夏文艺演出",
               "乡村振兴技能培训班", "退役军人专场招聘会", "防汛应急演练", "消防安全演练",
               "“三八”妇女节主题活动", "学雷锋志愿服务活动", "移风易俗主题宣传活动"]
STUDY = ["学习贯彻党的二十大精神", "主题教育", "全国两会精神", "习近平新时代中国特色社会主义思想"]
DEPT_ACTS = {
    "市发改委": ["召开2023年重大项目推进会", "发布2023年{q}全市重点项目进展情况", "推进长三角生态绿色一体化发展"],
    "市教育局": ["部署2023年义务教育招生工作", "开展校园安全隐患排查", "召开2023年高考工作会议", "举办中小学生艺术展演"],
    "市公安局": ["开展夏夜治安巡查宣传集中统一行动", "召开2023年全市公安工作会议", "破获一起电信网络诈骗案",
               "开展打击整治养老诈骗专项行动"],
    "市民政局": ["开展困难群众走访慰问", "推进居家养老服务中心建设", "发布2023年{q}社会救助情况"],
    "市司法局": ["开展“八五”普法宣传进社区活动", "推进公共法律服务体系建设"],
    "市财政局": ["公开2023年市级部门预算", "开展财会监督专项行动"],
    "市人社局": ["发布2023年{q}就业形势分析", "举办2023年春风行动专场招聘会", "开展根治欠薪专项行动",
               "推进企业职工技能提升培训"],
    "市自然资源和规划局": ["开展耕地保护专项整治", "召开国土空间规划编制推进会"],
    "市生态环境局": ["开展大气污染防治夏季攻坚", "发布2023年{q}环境质量状况", "开展长江大保护专项执法"],
    "市住建局": ["推进老旧小区改造", "开展建筑施工安全大检查", "召开城镇燃气安全专项整治推进会"],
    "市交通运输局": ["推进溧阳1号公路提档升级", "开展道路运输安全专项整治"],
    "市水利局": ["部署2023年防汛防旱工作", "推进农村生态河道建设"],
    "市农业农村局": ["推进高标准农田建设", "开展“三夏”农业生产技术指导", "举办2023年中国农民丰收节溧阳活动"],
    "市商务局": ["举办2023年溧阳消费促进月活动", "召开外贸企业稳订单拓市场座谈会"],
    "市文体广旅局": ["举办2023年天目湖旅游节", "开展“我们的节日·春节”文化惠民活动", "举办溧阳市全民健身运动会",
                  "推出溧阳1号公路秋季旅游线路"],
    "市卫健委": ["开展家庭医生签约服务宣传", "推进基层医疗卫生机构能力提升", "开展爱国卫生运动"],
    "市应急管理局": ["开展安全生产月活动", "组织2023年防汛应急演练", "开展危化品企业安全检查"],
    "市市场监管局": ["开展食品安全抽检", "发布2023年{q}市场主体发展情况", "开展燃气具质量专项整治"],
    "市统计局": ["发布2023年{q}全市经济运行情况", "部署第五次全国经济普查工作"],
    "市医保局": ["部署2024年度城乡居民医保参保缴费工作", "开展医保基金使用专项检查"],
    "市城管局": ["开展市容环境综合整治", "推进生活垃圾分类工作"],
    "市行政审批局": ["推进“一件事”改革", "优化企业开办全程网办服务"],
    "市大数据管理局": ["推进政务数据共享", "召开政府网站内容保障工作会议", "开展政务新媒体检查"],
    "市信访局": ["开展信访积案化解专项行动"],
    "市退役军人事务局": ["举办退役军人专场招聘会", "开展“八一”走访慰问活动"],
    "市审计局": ["开展2023年度经济责任审计"],
    "市工信局": ["召开2023年工业经济运行分析会", "推进智能化改造和数字化转型"],
    "市科技局": ["组织高新技术企业申报培训", "推进科技创新载体建设"],
    "市税务局": ["开展2023年“便民办税春风行动”", "落实组合式税费支持政策"],
    "市气象局": ["发布2023年{q}气候影响评价", "开展“3·23”世界气象日科普活动"],
    "市消防救援大队": ["开展消防安全宣传进社区活动", "开展高层建筑火灾扑救演练"],
    "市总工会": ["开展“送清凉”活动", "举办职工技能竞赛", "开展困难职工帮扶"],
    "团市委": ["开展学雷锋志愿服务活动", "举办青年联谊活动", "开展“青春助力乡村振兴”活动"],
    "市妇联": ["开展“三八”国际妇女节系列活动", "举办巾帼创业培训班"],
    "市科协": ["开展全国科普日活动", "举办科技工作者日座谈会"],
    "市文联": ["举办迎新春书画展", "开展文艺志愿服务进乡村活动"],
    "市残联": ["开展全国助残日活动", "举办残疾人就业专场招聘会"],
    "市红十字会": ["开展“人道万人捐”活动", "举办应急救护培训班", "开展无偿献血宣传活动"],
    "市侨联": ["召开归侨侨眷座谈会", "开展“侨爱心”帮扶活动"],
}
DEPT_ACTS_GENERIC = ["开展政务公开宣传活动", "召开2023年度工作总结会", "开展“七一”主题党日活动"]

ZD_TEMPLATES = ["{u}关于{k}的公示", "{u}{k}信息公开（2023年{q}）", "{u}2023年{m}月{k}公告"]
ZD_TOWN = ["低保对象名单", "耕地地力保护补贴发放情况", "农村危房改造对象", "高标准农田建设项目",
           "村级财务收支情况", "困难群众救助资金发放情况", "退役军人优待金发放情况"]
ZD_DEPT = ["行政处罚决定", "行政许可结果", "财政资金使用情况", "重大建设项目批准和实施信息",
           "公共资源配置信息", "“双随机、一公开”抽查结果", "政府采购意向"]
ZD_MASS = ["财务收支情况", "帮扶资金发放情况", "捐赠款物使用情况"]

POLICIES = ["《溧阳市2023年优化营商环境行动方案》", "《溧阳市促进服务业高质量发展若干政策》",
            "《关于进一步做好稳就业工作的实施意见》", "《溧阳市2023年城乡居民基本医疗保险政策》",
            "《溧阳市加快推进农业农村现代化实施意见》", "《溧阳市人才政策“十条”》",
            "《溧阳市老旧小区改造实施方案》", "《溧阳市生活垃圾分类管理办法》", "《溧阳市农村宅基地管理办法》",
            "《溧阳市稳经济促发展若干措施》", "《溧阳市养老服务补贴实施细则》", "《溧阳市住房公积金缴存政策》"]
DRAFTS = ["溧阳市城市管理条例实施办法", "溧阳市农村人居环境长效管护办法", "溧阳市公共租赁住房管理办法",
          "溧阳市天目湖水源地保护办法", "溧阳市促进文旅消费若干措施", "溧阳市电动自行车管理规定",
          "溧阳市物业管理办法", "溧阳市困难群众医疗救助实施细则"]
SURVEYS = ["政务服务", "营商环境", "农村人居环境", "公共文化服务", "义务教育", "食品安全", "便民服务中心",
           "社区养老服务", "政府网站"]
TALKS = ["优化营商环境", "稳就业保民生", "乡村振兴", "文旅融合发展", "城市更新", "基层社会治理",
         "安全生产", "生态环境保护"]
SPECIALS = ["学习贯彻党的二十大精神", "安全生产月", "优化营商环境", "乡村振兴", "文明城市创建",
            "主题教育", "防汛抗旱", "1号公路"]
LIVES = ["2023天目湖白茶开采节", "溧阳1号公路马拉松", "中国农民丰收节溧阳主会场", "2023天目湖旅游节开幕式",
         "溧阳市民间文艺展演", "溧阳市春季招聘会"]

KEY_TITLE = {
    "政策简明问答图解": ["图解：{p}", "一图读懂{p}", "{p}政策问答"],
    "意见征集": ["关于《{d}（征求意见稿）》公开征求意见的公告"],
    "调查问卷": ["{v}满意度调查问卷", "关于{v}工作的问卷调查"],
    "新闻发布会": ["{u}{w}新闻发布会", "溧阳市{w}工作新闻发布会"],
    "在线访谈": ["“政风热线”在线访谈：{u}主要负责人谈{w}"],
    "专题专栏": ["“{c}”专题专栏"],
    "网上直播": ["网上直播：{l}"],
}
# Which key columns a unit's plan holds, by category (weights).
KEY_MIX = {
    TOWN: {"政策简明问答图解": .30, "专题专栏": .22, "调查问卷": .15, "意见征集": .10, "新闻发布会": .08,
           "在线访谈": .07, "网上直播": .08},
    DEPT: {"政策简明问答图解": .38, "意见征集": .18, "调查问卷": .12, "新闻发布会": .14, "专题专栏": .09,
           "在线访谈": .06, "网上直播": .03},
    MASS: {"调查问卷": .35, "专题专栏": .35, "政策简明问答图解": .2, "在线访谈": .1},
}
# How exports spell columns and levels (weights): most use the table's name.
COLUMN_SPELLING = {"政策简明问答图解": [("政策简明问答图解", .6), ("政策解读", .4)],
                   "调查问卷": [("调查问卷", .55), ("问卷调查", .45)],
                   "在线访谈": [("在线访谈", .7), ("政民互动-在线访谈", .3)]}
LEVEL_SPELLING = {"溧阳市": [("溧阳市", .93), ("溧阳", .07)], "常州市": [("常州市", .85), ("常州", .15)],
                  "江苏省": [("江苏省", .7), ("省级", .2), ("江苏", .1)]}
DATE_STYLES = [("iso", .55), ("slash", .2), ("dot", .08), ("zh", .09), ("compact", .08)]
LEVELS = ("溧阳市", "常州市", "江苏省")


# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class D:
    """A date cell: the date, and how the CSV form spells it (the workbook writes a date cell)."""
    value: dt.date
    style: str = "iso"

    def text(self) -> str:
        d = self.value
        return {"iso": d.isoformat(), "slash": f"{d.year}/{d.month}/{d.day}", "dot": f"{d.year}.{d.month}.{d.day}",
                "zh": f"{d.year}年{d.month}月{d.day}日", "compact": d.strftime("%Y%m%d")}[self.style]


@dataclass
class Item:
    unit: str                  # unit id
    column: str                # column key
    title: str
    first: dt.date             # first adoption date
    adoptions: list[tuple[str, dt.date, str]] = field(default_factory=list)  # (level, date, solicited cell)
    submitted: dt.date | None = None
    due: dt.date | None = None
    late: str = ""             # the 是否超时 cell
    informant: str = ""
    record_id: str = ""

    @property
    def is_late(self) -> bool:
        """R4: the late cell decides; empty → submitted after due (both given)."""
        if self.late:
            return self.late == "是"
        return self.submitted is not None and self.due is not None and self.submitted > self.due


class Gen:
    """The seeded random source with the few draws the generator needs."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)

    def pick(self, seq):
        return seq[int(self.rng.integers(len(seq)))]

    def weighted(self, pairs):
        keys = [k for k, _ in pairs]
        w = np.array([p for _, p in pairs], dtype=float)
        return keys[int(self.rng.choice(len(keys), p=w / w.sum()))]

    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    def poisson(self, lam: float) -> int:
        return int(self.rng.poisson(lam))

    def int(self, lo: int, hi: int) -> int:
        """Uniform in [lo, hi]."""
        return int(self.rng.integers(lo, hi + 1))


def quarter_days(year: int, q: int) -> list[dt.date]:
    """Working days (Mon–Fri) of a quarter."""
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
    return [start + dt.timedelta(days=i) for i in range((end - start).days)
            if (start + dt.timedelta(days=i)).weekday() < 5]


def quarter_of(d: dt.date) -> int:
    return (d.month - 1) // 3 + 1


def person(g: Gen, taken: set[str]) -> str:
    while True:
        name = g.pick(SURNAMES) + "".join(g.pick(GIVEN) for _ in range(g.int(1, 2)))
        if name not in taken:
            taken.add(name)
            return name


# ---------------------------------------------------------------------------------------------
def make_register(g: Gen) -> tuple[list[dict], dict[str, dict]]:
    """The unit register, and per unit the people who write its items."""
    taken: set[str] = set()
    rows, staff = [], {}
    for uid, name, cat, tier, aliases in UNITS:
        if uid in PLACED["empty_informant"]:
            informants = []
        elif g.chance(0.15):
            informants = [person(g, taken), person(g, taken)]
        else:
            informants = [person(g, taken)]
        colleagues = [person(g, taken)] if tier in ("star", "active") else []
        staff[uid] = dict(informants=informants, colleagues=colleagues, name=name, category=cat, tier=tier,
                          aliases=re.split("[;、]", aliases) if aliases else [])
        rows.append(dict(unit_id=uid, unit_name=name, category=cat, informant="、".join(informants),
                         aliases=aliases))
    return rows, staff


def title_for(g: Gen, column: str, unit: dict, q: int, month: int) -> str:
    u, cat = unit["name"], unit["category"]
    fill = dict(u=u, q=QUARTER_ZH[q], m=month, n=g.int(3, 12), s=g.pick(STUDY))
    if column == "要闻动态":
        tpl = g.pick({TOWN: NEWS_TOWN, DEPT: NEWS_DEPT, MASS: NEWS_MASS}[cat])
        fill.update(t=g.pick({TOWN: TOPIC_TOWN, DEPT: TOPIC_DEPT, MASS: TOPIC_MASS}[cat]), e=g.pick(EVENTS_TOWN),
                    x=g.pick(DEPT_ACTS.get(u, DEPT_ACTS_GENERIC)).format(q=QUARTER_ZH[q]))
    elif column == "重点领域":
        tpl = g.pick(ZD_TEMPLATES)
        fill.update(k=g.pick({TOWN: ZD_TOWN, DEPT: ZD_DEPT, MASS: ZD_MASS}[cat]))
    else:
        tpl = g.pick(KEY_TITLE[column])
        fill.update(p=g.pick(POLICIES), d=g.pick(DRAFTS), v=g.pick(SURVEYS), w=g.pick(TALKS), c=g.pick(SPECIALS),
                    l=g.pick(LIVES))
    return tpl.format(**fill)


def row_informant(g: Gen, unit: dict) -> str:
    """Who wrote the item: mostly the unit's informant, sometimes both, a colleague, or nobody."""
    inf, col = unit["informants"], unit["colleagues"]
    r = g.rng.random()
    if r < 0.08 or not inf:
        return "" if (r < 0.08 or not col) else g.pick(col)
    if r < 0.14 and col:
        return g.pick(col)
    if len(inf) == 2 and r < 0.30:
        return "、".join(inf)
    return g.pick(inf)


def plan_dates(g: Gen, item: Item, planned: bool) -> None:
    """Submission and due dates, and the late cell (R4), as the production plan records them."""
    adopted = item.first
    item.submitted = adopted - dt.timedelta(days=g.int(0, 4))
    if planned:
        if g.chance(0.12):                       # late
            item.due = item.submitted - dt.timedelta(days=g.int(1, 10))
            item.late = "是" if g.chance(0.6) else ""
        else:
            item.due = item.submitted + dt.timedelta(days=g.int(0, 12))
            item.late = "否" if g.chance(0.3) else ""
    else:
        if g.chance(0.3):
            item.submitted = None
        item.late = "是" if g.chance(0.012) else ("否" if g.chance(0.05) else "")


def higher_adoption(g: Gen, base: dt.date, year: int) -> dt.date:
    """A later adoption by a higher level: days to weeks after, within the same year."""
    d = base + dt.timedelta(days=g.int(2, 45))
    last = dt.date(year, 12, 29)
    return min(d, last) if base <= last else base


def make_items(g: Gen, staff: dict[str, dict]) -> list[Item]:
    items: list[Item] = []
    days = {q: quarter_days(YEAR, q) for q in (1, 2, 3, 4)}
    for uid, unit in staff.items():
        tier = TIERS[unit["tier"]]
        season = {1: 0.85, 2: 1.05, 3: 1.0, 4: 1.1}
        for q in (1, 2, 3, 4):
            if (uid, q) in PLACED["quiet_quarters"]:
                continue
            counts = [("要闻动态", g.poisson(tier["news"] * season[q])), ("重点领域", g.poisson(tier["zd"])),
                      ("key", g.poisson(tier["key"]))]
            for column, n in counts:
                for _ in range(n):
                    col = g.weighted(list(KEY_MIX[unit["category"]].items())) if column == "key" else column
                    first = g.pick(days[q])
                    it = Item(unit=uid, column=col, title=title_for(g, col, unit, q, first.month), first=first)
                    is_key = column == "key"
                    p_city = tier["p_city"] * (2.5 if is_key else (1.0 if col == "要闻动态" else 0.6))
                    if g.chance(p_city):
                        up = higher_adoption(g, first, YEAR)
                        if g.chance(0.12):              # adopted by 常州市 directly
                            it.first = up
                            it.adoptions.append(("常州市", up, ""))
                        else:
                            it.adoptions += [("溧阳市", first, ""), ("常州市", up, "")]
                    else:
                        it.adoptions.append(("溧阳市", first, ""))
                    if col == "要闻动态" and unit["tier"] in ("active", "moderate") and g.chance(0.0025):
                        it.adoptions.append(("江苏省", higher_adoption(g, it.adoptions[-1][1], YEAR),
                                             g.weighted([("", .6), ("是", .25), ("否", .15)])))
                    plan_dates(g, it, planned=(is_key and g.chance(0.85)) or (col == "重点领域" and g.chance(0.15)))
                    it.informant = row_informant(g, unit)
                    items.append(it)
    return items


def place_province(g: Gen, items: list[Item], staff: dict[str, dict]) -> None:
    """R13 cases: 江苏省 adoptions (solicited or not) of 要闻动态 items of the reward candidates."""
    for uid, (cells, last_quarter) in PLACED["province"].items():
        news = [it for it in items if it.unit == uid and it.column == "要闻动态"
                and [a[0] for a in it.adoptions] == ["溧阳市"] and not it.is_late
                and quarter_of(it.first) <= last_quarter]
        # Spread over the year: the k-th pick from the k-th slice of the unit's items in date order.
        news.sort(key=lambda it: (it.first, it.title))
        for k, cell in enumerate(cells):
            lo, hi = len(news) * k // len(cells), len(news) * (k + 1) // len(cells)
            it = news[g.int(lo, hi - 1)]
            last = quarter_days(YEAR, last_quarter)[-1]
            if g.chance(0.3):
                it.adoptions.append(("常州市", min(higher_adoption(g, it.first, YEAR), last), ""))
            it.adoptions.append(("江苏省", min(higher_adoption(g, it.adoptions[-1][1], YEAR), last), cell))


def place_override(items: list[Item]) -> None:
    """R4: a late cell of 否 overrides the dates (two planned items submitted after their due date)."""
    planned = [it for it in items if it.due is not None and not it.is_late
               and it.unit not in PLACED["province"]]
    for it in planned[5:7]:
        it.due = it.submitted - dt.timedelta(days=2)
        it.late = "否"


def previous_year_items(g: Gen, staff: dict[str, dict]) -> list[Item]:
    """A handful of December rows of the year before (not errors; one is upgraded in January)."""
    out = []
    days = quarter_days(YEAR - 1, 4)[-15:]
    for k, uid in enumerate(("0101", "0203", "0110", "0207", "0114", "0302")):
        unit = staff[uid]
        col = "要闻动态" if k % 3 else "重点领域"
        first = g.pick(days)
        it = Item(unit=uid, column=col, title=title_for(g, col, unit, 4, 12).replace("2023年", "2022年"),
                  first=first, adoptions=[("溧阳市", first, "")])
        if k == 1:     # adopted by 常州市 in January: earns the difference in 2023 Q1 (R2)
            it.adoptions.append(("常州市", dt.date(YEAR, 1, 6), ""))
        plan_dates(g, it, planned=False)
        it.late = ""
        it.informant = row_informant(g, unit)
        out.append(it)
    return out


def assign_ids(items: list[Item]) -> list[Item]:
    items = sorted(items, key=lambda it: (it.first, it.unit, it.column, it.title, it.adoptions))
    counters: dict[int, int] = {}
    for it in items:
        counters[it.first.year] = counters.get(it.first.year, 0) + 1
        it.record_id = f"{it.first.year}-{counters[it.first.year]:05d}"
    return items


# ---------------------------------------------------------------------------------------------
# Turning records into cells the way exports spell them.
# ---------------------------------------------------------------------------------------------
def pad(g: Gen, text: str, p: float = 0.015) -> str:
    """A few values come with full-width or plain spaces around them."""
    if not text or not g.chance(p):
        return text
    return g.pick(["\u3000{}", "{}\u3000", " {}", "{} ", "\u3000{}\u3000"]).format(text)


def unit_ref(g: Gen, uid: str, unit: dict, p_alias: float, p_name: float, p_id_only: float) -> tuple[str, str]:
    """(unit_id cell, unit_name cell): id and name, id only, name only, or an alias only."""
    r = g.rng.random()
    if unit["aliases"] and r < p_alias:
        return "", pad(g, g.pick(unit["aliases"]), 0.05)
    if r < p_alias + p_name:
        return "", pad(g, unit["name"], 0.05)
    if r < p_alias + p_name + p_id_only:
        return uid, ""
    return uid, unit["name"]


def submission_rows(g: Gen, items: list[Item], staff: dict[str, dict]) -> list[dict]:
    rows = []
    for it in items:
        unit = staff[it.unit]
        style = g.weighted(DATE_STYLES)
        for level, date, solicited in sorted(it.adoptions, key=lambda a: (a[1], LEVELS.index(a[0]))):
            uid, uname = unit_ref(g, it.unit, unit, p_alias=0.15, p_name=0.12, p_id_only=0.2)
            column = g.weighted(COLUMN_SPELLING[it.column]) if it.column in COLUMN_SPELLING else it.column
            rows.append(dict(
                record_id=it.record_id, unit_id=uid, unit_name=uname, column=pad(g, column),
                level=pad(g, g.weighted(LEVEL_SPELLING[level])), adopted_on=D(date, style),
                title=pad(g, it.title, 0.01),
                submitted_on=D(it.submitted, style) if it.submitted else None,
                due_on=D(it.due, style) if it.due else None, late=it.late, solicited=solicited,
                informant=pad(g, it.informant, 0.01) if (level == "溧阳市" or g.chance(0.7)) else "",
                # Canonical values for the README's counts; writers use only the schema's fields.
                _unit=it.unit, _column=it.column, _level=level, _late=it.is_late,
                _key=(date, it.record_id, LEVELS.index(level))))
    rows.sort(key=lambda r: r["_key"])
    return rows


# Events: (date, unit id, type cell, count cell, note). Type cells mix codes, names and aliases.
EVENTS = [
    (dt.date(2022, 12, 16), "0212", "超期报送所需材料", None, "2022年第四季度内容保障计划超期报送"),
    (dt.date(2023, 1, 20), "0116", "no_informant", None, "未向市大数据管理局报备信息报送工作人员"),
    (dt.date(2023, 1, 20), "0235", "未明确信息报送工作人员", None, "信息员岗位空缺，未明确信息报送工作人员"),
    (dt.date(2023, 2, 10), "0104", "未提交内容保障计划", None, "未按期提交2023年度内容保障计划"),
    (dt.date(2023, 2, 10), "0219", "no_plan", None, "未提交2023年度内容保障计划"),
    (dt.date(2023, 2, 10), "0306", "未提交计划", None, "未提交2023年度内容保障计划"),
    (dt.date(2023, 3, 15), "0212", "late_material", 2, "“防汛抗旱”专题材料两次超期报送"),
    (dt.date(2023, 3, 28), "0226", "责任栏目未及时更新", None, "“信访公开”栏目超过一个季度未更新"),
    (dt.date(2023, 4, 25), "0233", "内容不准确被常州通报", None, "信息中气温数据有误，被常州市政府办通报"),
    (dt.date(2023, 5, 12), "0227", "超期报送材料", None, "政府信息公开年报材料超期报送"),
    (dt.date(2023, 5, 18), "0112", "严重错误或更新不及时被省级以上部门通报",
     None, "“政务公开”栏目长期未更新，被省政务办通报"),
    (dt.date(2023, 6, 9), "0308", "stale_column", None, "“侨务工作”栏目未及时更新"),
    (dt.date(2023, 6, 20), "0302", "late_material", None, "“青春助力乡村振兴”专题素材超期报送"),
    (dt.date(2023, 7, 14), "0108", "超期报送所需材料", 1, "在线访谈文字实录超期报送"),
    (dt.date(2023, 8, 3), "0211", "涉密信息上网", None, "门户网站发布的文件附件含涉密内容，被责令删除并通报"),
    (dt.date(2023, 8, 22), "0110", "content_error", None, "信息标题存在错别字，被常州市政府办通报"),
    (dt.date(2023, 9, 6), "0223", "veto_quarter", None, "转载信息出现严重表述错误，被省政府办公厅通报"),
    (dt.date(2023, 9, 19), "0105", "更新不及时", 2, "“镇务公开”“财政信息”两个栏目未及时更新"),
    (dt.date(2023, 10, 17), "0305", "late_material", None, "迎新春书画展网上展播材料超期报送"),
    (dt.date(2023, 11, 8), "0204", "内容错误", None, "救助标准数据与文件不一致，被常州市政府办通报"),
    (dt.date(2023, 11, 24), "0231", "责任栏目未及时更新", None, "“公积金政策”栏目未及时更新"),
    (dt.date(2023, 12, 5), "0221", "超期报送所需材料", 3, "统计数据解读材料三次超期报送"),
    (dt.date(2023, 12, 12), "0114", "no_plan", None, "未提交2024年第一季度内容保障计划"),
]


def event_rows(g: Gen, staff: dict[str, dict]) -> list[dict]:
    rows, numbers = [], {}
    for date, uid, typ, count, note in sorted(EVENTS, key=lambda e: (e[0], e[1])):
        numbers[date.year] = numbers.get(date.year, 0) + 1
        uid_cell, name_cell = unit_ref(g, uid, staff[uid], p_alias=0.25, p_name=0.3, p_id_only=0.2)
        rows.append(dict(event_id="" if g.chance(0.15) else f"E{date.year}-{numbers[date.year]:03d}", unit_id=uid_cell,
                         unit_name=name_cell, date=D(date, g.weighted(DATE_STYLES)), type=pad(g, typ, 0.1),
                         count=count, note=note))
    return rows


def target_rows(g: Gen, items: list[Item], staff: dict[str, dict]) -> list[dict]:
    """R12: per unit 1–3 columns, set below what the unit did (on time), except the missed ones."""
    done: dict[tuple[str, str], int] = {}
    on_time: dict[tuple[str, str], int] = {}
    for it in items:
        if it.first.year == YEAR:
            done[(it.unit, it.column)] = done.get((it.unit, it.column), 0) + 1
            if not it.is_late:
                on_time[(it.unit, it.column)] = on_time.get((it.unit, it.column), 0) + 1
    rows = []
    for uid, unit in staff.items():
        if unit["tier"] == "low" and unit["category"] == MASS and uid not in ("0306",):
            continue                                     # some mass organisations have no targets
        cols = ["要闻动态"] + (["重点领域"] if g.chance(0.5) or unit["tier"] == "star" else [])
        keys = sorted(((n, c) for (u, c), n in on_time.items() if u == uid and c not in ("要闻动态", "重点领域")),
                      key=lambda nc: (-nc[0], nc[1]))
        if keys:
            cols.append(keys[0][1])
        for col in cols:
            n = on_time.get((uid, col), 0)
            if col in ("要闻动态", "重点领域"):
                target = int(n * (0.6 + 0.3 * g.rng.random())) // 5 * 5 or min(n, 3)
            else:
                target = min(n, 2 if n >= 3 else 1)
            if target == 0:
                continue
            rows.append((uid, col, target))
    # The missed targets: 上兴镇 falls short of its 要闻动态 count; 市供销总社 ran no 意见征集.
    uid = PLACED["missed_targets"][0]
    rows = [(u, c, (done.get((u, c), 0) + 5) // 5 * 5 + 5 if (u, c) == (uid, "要闻动态") else t)
            for u, c, t in rows]
    rows.append((PLACED["missed_targets"][1], "意见征集", 1))
    assert done.get((PLACED["missed_targets"][1], "意见征集"), 0) == 0
    out = []
    for uid, col, target in sorted(rows, key=lambda r: (r[0], list(KEY_TITLE).index(r[1]) + 2
                                                          if r[1] in KEY_TITLE else ("要闻动态", "重点领域").index(r[1]))):
        uid_cell, name_cell = unit_ref(g, uid, staff[uid], p_alias=0.0, p_name=0.25, p_id_only=0.5)
        spelled = g.weighted(COLUMN_SPELLING[col]) if col in COLUMN_SPELLING else col
        out.append(dict(unit_id=uid_cell, unit_name=name_cell, year=YEAR, column=spelled, target=target,
                        _unit=uid, _column=col))
    return out


def build(seed: int = SEED) -> dict[str, list[dict]]:
    """The four tables as lists of row dicts (dates as :class:`D`), in output order."""
    g = Gen(seed)
    units, staff = make_register(g)
    items = make_items(g, staff)
    place_province(g, items, staff)
    place_override(items)
    items = assign_ids(items + previous_year_items(g, staff))
    return dict(units=units, submissions=submission_rows(g, items, staff), events=event_rows(g, staff),
                targets=target_rows(g, items, staff))


# ---------------------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------------------
def _csv_cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, D):
        return v.text()
    return str(v)


def write_csv(tables: dict[str, list[dict]], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.xlsx"):
        raise SystemExit(f"{out} 中已有工作簿 {stale.name}：一个数据目录只能放一种形式")
    paths = []
    for table in schema.TABLES:
        names = [f.name for f in table.fields]
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(names)
        for row in tables[table.name]:
            w.writerow([_csv_cell(row.get(n)) for n in names])
        path = out / table.csv
        path.write_bytes(buf.getvalue().encode("gb18030" if table.name in GB18030_TABLES else "utf-8"))
        paths.append(path)
    return paths


def write_xlsx(tables: dict[str, list[dict]], path: Path) -> Path:
    """One workbook, Chinese sheet names and headers, real date cells, deterministic bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob("*.csv"):
        raise SystemExit(f"{path.parent} 中已有 CSV 文件 {stale.name}：一个数据目录只能放一种形式")
    wb = Workbook()
    wb.remove(wb.active)
    for table in schema.TABLES:
        ws = wb.create_sheet(table.sheet_zh)
        ws.append([f.zh for f in table.fields])
        for c in ws[1]:
            c.font = Font(bold=True)
        for row in tables[table.name]:
            ws.append([(r.value if isinstance(r, D) else (None if r == "" else r))
                       for r in (row.get(f.name) for f in table.fields)])
        for j, f in enumerate(table.fields, start=1):
            letter = ws.cell(row=1, column=j).column_letter
            ws.column_dimensions[letter].width = {"title": 48, "note": 48, "aliases": 36}.get(f.name, 14)
            fmt = "yyyy-mm-dd" if f.kind == "date" else ("@" if f.kind in ("str", "unit") else None)
            if fmt:
                for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                    cell.number_format = fmt
        ws.freeze_panes = "A2"
    _deterministic_save(wb, path)
    return path


def _deterministic_save(wb, path: Path) -> None:
    """The project's one deterministic xlsx writer (fixed document and zip entry times)."""
    from scoring.render.xlsxio import save_workbook_deterministic

    wb.properties.creator = "溧阳市大数据管理局"
    wb.properties.title = f"溧阳市政府门户网站内容保障考评样例数据（{YEAR}年）"
    save_workbook_deterministic(wb, path)


def _md_table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def readme(tables: dict[str, list[dict]], seed: int) -> str:
    """data/sample/README.md: what the sample holds, with counts computed from the tables."""
    name = {u[0]: u[1] for u in UNITS}
    subs = tables["submissions"]
    this_year = [r for r in subs if r["adopted_on"].value.year == YEAR]
    columns = list(KEY_TITLE) + ["要闻动态", "重点领域"]
    count: dict[tuple, int] = {}
    for r in this_year:
        k = (r["_column"], r["_level"], quarter_of(r["adopted_on"].value))
        count[k] = count.get(k, 0) + 1
    by_level = [[c] + [sum(count.get((c, lv, q), 0) for q in (1, 2, 3, 4)) for lv in LEVELS]
                + [sum(count.get((c, lv, q), 0) for lv in LEVELS for q in (1, 2, 3, 4))] for c in columns]
    by_quarter = [[lv] + [sum(count.get((c, lv, q), 0) for c in columns) for q in (1, 2, 3, 4)] for lv in LEVELS]
    ids = {r["record_id"] for r in subs}
    late_ids = {r["record_id"] for r in subs if r["_late"]}
    cats = {c: sum(1 for u in UNITS if u[2] == c) for c in (TOWN, DEPT, MASS)}
    evt = [[d.isoformat(), name[u], t, c or "", n] for d, u, t, c, n in sorted(EVENTS, key=lambda e: (e[0], e[1]))]
    prov = [[name[u], len(cells), cells.count("是"), cells.count(""), cells.count("否"), QUARTER_ZH[q] + "及以前"]
            for u, (cells, q) in PLACED["province"].items()]
    gb = "、".join(f"`{getattr(schema, t.upper()).csv}`" for t in GB18030_TABLES)
    return f"""# 样例数据：溧阳市 {YEAR} 年（虚构，随机生成）

本目录与 `data/sample-workbook/` 中的数据由 `scripts/make_sample.py`（种子 {seed}）生成，**请勿手工修改**，
改生成脚本后重新生成并一同提交：

```
python scripts/make_sample.py [--seed {seed}] [--out-csv data/sample --out-xlsx data/sample-workbook]
```

同一种子每次生成的文件逐字节相同（`tests/test_sample.py` 检查这一点，并检查已提交的文件与重新生成的一致）。
单位名称取自溧阳市实际的镇（区、街道）、部门和群团组织；人名、标题、日期、分数均为虚构。

## 两种形式，内容相同
- 本目录：四个 CSV 文件，英文表头。{gb} 为 **GB18030** 编码（模拟中文 Windows 上 Excel 另存的 CSV），
  其余为 **UTF-8（无 BOM）**；换行均为 `\\n`。日期按门户网站导出的习惯混用五种写法
  （`2023-07-01`、`2023/7/1`、`2023.7.1`、`2023年7月1日`、`20230701`）。
- `data/sample-workbook/{WORKBOOK_NAME}`：一个工作簿，工作表 单位、录用记录、扣分事项、年度目标，中文表头，
  日期为 Excel 日期单元格，单位编码为文本。两种形式读入后的规范表完全一致。
- 一个数据目录只放一种形式（本说明文件不属于数据）。
- 两个目录中都有样例标记文件 `{SAMPLE_MARKER}`（读取数据时忽略）：用带有它的目录生成的结果按样例数据处理，
  不能发布。复制本目录、换成真实数据后，请删除副本中的这个文件。
- `params/{YEAR}Q1.yaml` … `{YEAR}Q4.yaml`：各季度通报的参数（期号、文号、日期、抄送、下一步工作要求），
  属于本数据集：`python -m scoring bulletin --data data/sample` 自动使用，对其他数据目录不起作用。

## 各表
- `units.csv`：{len(tables["units"])} 个单位，镇区街道 {cats[TOWN]}、市级机关部门 {cats[DEPT]}、群团 {cats[MASS]}。
  单位编码形如 `0101`（镇区街道 01xx、部门 02xx、群团 03xx），带前导零，按数字读入会出错。
  部分单位有两名信息员（`张三、李四`）；部分单位有别名（`溧阳市公安局`、`昆仑街道办事处`），以 `;` 或 `、` 分隔。
- `submissions.csv`：{len(subs)} 行（每次录用一行），{len(ids)} 条稿件。单位有时只写编码、只写名称或只写别名；
  栏目有时写作别名（政策解读、问卷调查、政民互动-在线访谈），级别有时写作 溧阳、常州、江苏、省级；
  少数值前后带全角或半角空格。{len(subs) - len(this_year)} 行录用日期在 {YEAR - 1} 年 12 月（其他年度，不是错误，
  运行时在说明中计数；其中一条稿件 {YEAR} 年 1 月被常州市录用，按 R2 在第一季度计差额）。
  超时稿件 {len(late_ids)} 条（`是否超时` 为“是”，或该栏为空而报送日期晚于计划完成日期）；
  另有 2 条报送日期晚于计划完成日期但 `是否超时` 写“否”（以该栏为准，不算超时）。
- `events.csv`：{len(tables["events"])} 条扣分事项，类型混用代码、中文名称和别名，见下表。
- `targets.csv`：{len(tables["targets"])} 条年度目标（{len({r["_unit"] for r in tables["targets"]})} 个单位，每个 1–3 个栏目）；
  部分群团单位没有年度目标。

### {YEAR} 年录用行数（按栏目、级别）
{_md_table(["栏目"] + list(LEVELS) + ["合计"], by_level)}

### {YEAR} 年录用行数（按级别、季度）
{_md_table(["级别", "第一季度", "第二季度", "第三季度", "第四季度"], by_quarter)}

### 扣分事项
{_md_table(["日期", "单位", "类型（原文）", "次数", "说明"], evt)}

## 特意安排的情形（其余为随机）
- **年度奖励（R13）**：江苏省录用的约稿信息（`是否约稿` 为“是”或为空都算约稿）：

{_md_table(["单位", "江苏省录用", "约稿“是”", "空", "“否”", "录用时间"], prov)}

  天目湖镇（6 条）和市文体广旅局（恰好 5 条，“5次以上”含本数）应获奖励，第四季度计 25 分；
  市文体广旅局的省级录用都在前三季度，其第四季度本身不足 25 分，奖励可见。
  溧城街道 5 条中 1 条写“否”，只有 4 条约稿，不获奖励。三个单位都没有一票否决，年度目标按时完成。
- **一票否决**：社渚镇第二季度、市城管局第三季度被省级以上部门通报（季度否决，R10）；
  市交通运输局 8 月涉密信息上网（年度否决，全年归零，R11）。
- **未完成年度目标（R11、R12）**：上兴镇（要闻动态未达目标数）、市供销总社（意见征集目标 1 期，全年未做），全年归零。
- **未明确信息员**：现代农业产业示范园、市人防办在单位名册中没有信息员，第一季度各有一条 no_informant 事项。
- **整季无录用**：市侨联第一季度、市科协第二季度、市红十字会第三季度。
"""


# ---------------------------------------------------------------------------------------------
# The sample marker and the quarters' bulletin parameters (data/sample/params/<Y>Q<Q>.yaml).
# ---------------------------------------------------------------------------------------------
MARKER_TEXT = f"""本目录是溧阳市政府门户网站内容保障考评项目自带的样例数据（虚构，由 scripts/make_sample.py 生成），不是任何单位的真实数据。

用带有本文件（{SAMPLE_MARKER}）的数据目录生成的通报、得分明细单和工作簿，都按样例数据处理：manifest.json 记为 sample_data，且不能用 python -m scoring publish 发布。

如果你复制了本目录，并已把其中的数据换成本单位的真实数据，请删除副本中的本文件（{SAMPLE_MARKER}）。
"""
# quarter → (issue date, 文号, the two paragraphs of 下一步工作要求)
QUARTER_PARAMS = {
    1: ("2023-04-10", "溧大数〔2023〕8号",
        ("各单位要明确专人负责门户网站内容保障工作，按照年度内容保障计划按时报送，确保信息准确、及时。",
         "重点栏目进度滞后的单位要对照年度目标任务，倒排时间节点，第二季度内补齐进度。")),
    2: ("2023-07-10", "溧大数〔2023〕15号",
        ("各单位要对照年度目标任务，抓紧推进重点栏目建设，确保上半年进度不落后。",
         "要加强信息审核把关，杜绝错别字和内容不准确等问题，避免被上级通报扣分。")),
    3: ("2023-10-10", "溧大数〔2023〕25号",
        ("第四季度是完成全年目标任务的关键时期，各单位要对照年度目标逐项查漏补缺，确保按时完成。",
         "要持续提升信息质量，积极向常州市、江苏省政府网站报送优质稿件。")),
    4: ("2024-01-10", "溧大数〔2024〕3号",
        ("各单位要认真总结2023年门户网站内容保障工作，查找不足，制定2024年内容保障计划并于1月底前报送市大数据管理局。",
         "2024年将继续按照《溧阳市人民政府门户网站内容保障考评办法》开展季度考评和年度考核。")),
}


def params_yaml(quarter: int) -> str:
    """data/sample/params/<YEAR>Q<quarter>.yaml: the sample quarter's 期号, 文号, 日期, 抄送, 下一步工作要求."""
    date, doc, (first, second) = QUARTER_PARAMS[quarter]
    name = f"{YEAR}Q{quarter}"
    return f"""# {YEAR}年第{quarter}季度通报的参数。python -m scoring bulletin 会用命令行的数据目录、规则文件和输出目录
# 覆盖 year / quarter / data_dir / rules_file / output_dir；单独运行笔记本时用这里的值：
#   papermill notebooks/quarterly_bulletin.ipynb OUT.ipynb -f params/{name}.yaml
year: {YEAR}
quarter: {quarter}
data_dir: data/sample
rules_file: params/rules/liyang-2023-draft.yaml
output_dir: output/{name}
issue_number: "{quarter}"
issue_date: "{date}"            # 落款日期（字符串，YYYY-MM-DD）
doc_number: "{doc}"
issuer: 溧阳市大数据管理局
cc: 市委办公室，市人大办公室，市政府办公室，市政协办公室。
next_steps: |
  {first}

  {second}
"""


def write_extras(out_csv: Path, out_xlsx: Path) -> list[Path]:
    """The marker file in both folders, the quarters' parameters in the CSV folder."""
    paths = []
    for folder in (out_csv, out_xlsx):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / SAMPLE_MARKER).write_bytes(MARKER_TEXT.encode("utf-8"))
        paths.append(folder / SAMPLE_MARKER)
    (out_csv / "params").mkdir(parents=True, exist_ok=True)
    for quarter in QUARTER_PARAMS:
        path = out_csv / "params" / f"{YEAR}Q{quarter}.yaml"
        path.write_bytes(params_yaml(quarter).encode("utf-8"))
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="生成溧阳市2023年样例数据（CSV 与工作簿两种形式）")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--out-csv", type=Path, default=ROOT / "data" / "sample")
    ap.add_argument("--out-xlsx", type=Path, default=ROOT / "data" / "sample-workbook")
    args = ap.parse_args(argv)
    tables = build(args.seed)
    paths = write_csv(tables, args.out_csv) + [write_xlsx(tables, args.out_xlsx / WORKBOOK_NAME)]
    (args.out_csv / "README.md").write_bytes(readme(tables, args.seed).encode("utf-8"))
    paths.append(args.out_csv / "README.md")
    paths += write_extras(args.out_csv, args.out_xlsx)
    for p in paths:
        print(p)
    print("行数：" + "，".join(f"{t.title_zh} {len(tables[t.name])}" for t in schema.TABLES))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
