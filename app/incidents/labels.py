"""What incidents' codes read as, in the reader's language (the seeds' words)."""
from flask_babel import lazy_gettext as _l

KIND_LABELS = {"fall": _l("摔倒受伤"), "dispute": _l("争吵纠纷"), "stranger": _l("可疑人员"), "fire_alarm": _l("火警"),
               "flooding": _l("漏水水浸"), "theft": _l("盗窃"), "lost_property": _l("失物"), "gift": _l("礼品上缴"),
               "vehicle": _l("车辆损坏"), "other": _l("其他")}
# What the guard must write down for each (seed 001 "23个怎么办", seed 004's 盘查可疑人员, 打架斗殴), as a hint.
KIND_HINTS = {"fall": _l("扶起、询问伤情、是否需要医生;查清摔倒原因(地滑、地毯),通知有关部门修理。"),
              "dispute": _l("劝止、让当事人离开;了解经过,记录双方姓名与说法,事态扩大立即上报。"),
              "stranger": _l("礼貌盘查:姓名、来意、证件;记下外貌、去向,必要时陪同离开。"),
              "fire_alarm": _l("到场确认报警点;真警立即报告并组织疏散,误报记录原因与复位时间。"),
              "flooding": _l("关闭阀门、切断危险电源、转移物品;记录范围与受影响住户。"),
              "theft": _l("保护现场,记录失主、物品、时间;报告主管,需要时报警。"),
              "lost_property": _l("记录拾到的物品、地点、拾得人;登记后交前台保管。"),
              "gift": _l("婉言谢绝;推辞不下时暂时收下,登记后上缴。"),
              "vehicle": _l("拍下车牌与损坏处;记录车主联系方式与经过。"), "other": _l("写清时间、地点、人物、经过、处理。")}
SEVERITY_LABELS = {"minor": _l("一般"), "serious": _l("严重"), "critical": _l("紧急")}
STATUS_LABELS = {"open": _l("待跟进"), "following": _l("跟进中"), "closed": _l("已关闭")}
SOURCE_LABELS = {"home": _l("首页上报"), "round": _l("巡更中上报"), "post": _l("岗位上报")}
FOLLOWUP_LABELS = {"note": _l("跟进"), "severity": _l("调整级别"), "close": _l("关闭"), "reopen": _l("重新打开"),
                   "ticket": _l("开报修单"), "complaint": _l("转投诉")}
