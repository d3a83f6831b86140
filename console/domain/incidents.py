"""Incidents beyond crowding (报告事件) and their emergency plans (预案). Plain records, no Qt, no storage.

An incident is reported by a person (the Report incident button, ``main.py incident report``), not measured: a
medical emergency, a suspicious person, a dispute, a robbery, a fire, a system outage, a self-service device fault,
or something else. It is stored as an alert (rule ``incident.<type>``, subject its type) so the banner, the Alerts
panel, acknowledging, sounds and deliveries treat it like any alert, with a life of its own beside: the steps of its
type's emergency plan, each ticked with its time and who ticked it, and a closing summary. An incident can be a
**drill** (演练): it runs the same way, is marked as a drill everywhere and never counts in real figures.

Each type has an emergency plan: the steps to take, in order, and whom to call — the public emergency numbers
(110 police, 120 ambulance, 119 fire) and the branch's own contacts. The defaults below are a starting point in the
console's two languages; each branch edits its own (File → Emergency plans…).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from console.domain.vocabulary import AlertSeverity


class IncidentType(StrEnum):
    MEDICAL = "medical"  # 突发疾病 / 受伤
    SUSPICIOUS = "suspicious"  # 可疑人员或行为
    DISPUTE = "dispute"  # 纠纷 / 闹事
    ROBBERY = "robbery"  # 抢劫 / 暴力
    FIRE = "fire"  # 火警 / 疏散
    SYSTEM_OUTAGE = "system_outage"  # 系统故障（叫号、核心、银行卡系统）
    DEVICE_FAULT = "device_fault"  # 自助设备故障
    OTHER = "other"
    CROWDING = "crowding"  # a crowded lobby, reported by hand: above all to practise the crowding plan as a drill


#: the rule name an incident is stored under: ``incident.medical``; a drill's: ``drill.medical`` (so every list,
#: export and figure of alerts tells drills apart without reading the incident's own record)
RULE_PREFIX = "incident."
DRILL_PREFIX = "drill."
#: how loud each type is: a threat to people is critical, a fault a warning
SEVERITY: dict[IncidentType, AlertSeverity] = {
    IncidentType.MEDICAL: AlertSeverity.CRITICAL,
    IncidentType.SUSPICIOUS: AlertSeverity.WARNING,
    IncidentType.DISPUTE: AlertSeverity.WARNING,
    IncidentType.ROBBERY: AlertSeverity.CRITICAL,
    IncidentType.FIRE: AlertSeverity.CRITICAL,
    IncidentType.SYSTEM_OUTAGE: AlertSeverity.WARNING,
    IncidentType.DEVICE_FAULT: AlertSeverity.INFO,
    IncidentType.OTHER: AlertSeverity.WARNING,
    IncidentType.CROWDING: AlertSeverity.CRITICAL,
}


def incident_rule(kind: IncidentType, drill: bool = False) -> str:
    return (DRILL_PREFIX if drill else RULE_PREFIX) + kind.value


def incident_type_of(rule: str) -> IncidentType | None:
    """The incident type an alert's rule stands for, drill or not (None: an alert of a rule)."""
    for prefix in (RULE_PREFIX, DRILL_PREFIX):
        if rule.startswith(prefix):
            try:
                return IncidentType(rule[len(prefix):])
            except ValueError:
                return None
    return None


def is_drill(rule: str) -> bool:
    return rule.startswith(DRILL_PREFIX) and incident_type_of(rule) is not None


@dataclass(frozen=True, slots=True)
class Contact:
    name: str
    number: str


@dataclass(frozen=True, slots=True)
class EmergencyPlan:
    """What to do for one incident type: steps in order, whom to call, and the roles told at once (role values of
    ``console.domain.permissions.Role``)."""

    kind: IncidentType
    steps: tuple[str, ...]
    contacts: tuple[Contact, ...] = ()
    notify_roles: tuple[str, ...] = ("lobby_manager", "security_officer", "branch_manager")


@dataclass(frozen=True, slots=True)
class IncidentStep:
    """One step of an incident's plan, as the incident goes: ticked at ``done_at`` by ``done_by`` (None: not yet)."""

    position: int
    text: str
    done_at: datetime | None = None
    done_by: str | None = None


@dataclass(frozen=True, slots=True)
class Incident:
    """An incident as stored: its alert (id, type, when, by whom, note), drill or real, its steps, its closing."""

    alert_id: int
    kind: IncidentType
    raised_at: datetime
    raised_by: str
    note: str
    drill: bool
    steps: tuple[IncidentStep, ...]
    closed_at: datetime | None = None
    closed_by: str | None = None
    summary: str = ""
    acknowledged_at: datetime | None = None  # when someone first acted on it (a step done, or closing it)

    def response_minutes(self) -> tuple[float | None, list[float | None], float | None]:
        """Minutes from the report to its acknowledgement, to each step done (None: not done), and to its closing:
        the response times a drill is judged by."""
        def since(at: datetime | None) -> float | None:
            return round((at - self.raised_at).total_seconds() / 60, 1) if at is not None else None

        return since(self.acknowledged_at), [since(s.done_at) for s in self.steps], since(self.closed_at)


POLICE, AMBULANCE, FIRE_SERVICE = Contact("110", "110"), Contact("120", "120"), Contact("119", "119")

_STEPS_EN: dict[IncidentType, tuple[str, ...]] = {
    IncidentType.MEDICAL: ("Call 120 and say where the branch is", "Bring the first-aid kit and the AED",
                           "Keep customers back and give the person room", "Send someone to meet the ambulance",
                           "Tell the branch manager"),
    IncidentType.SUSPICIOUS: ("Watch without confronting; note looks and clothing", "Tell the security officer",
                              "Check the cameras' pictures", "Call 110 if there is a threat"),
    IncidentType.DISPUTE: ("Lobby manager goes over and listens calmly", "Take the customer aside, away from the queue",
                           "Security officer stands by", "Call 110 if it turns violent", "Write down what happened"),
    IncidentType.ROBBERY: ("Stay calm, do not resist; protect people first", "Press the silent alarm when safe",
                           "Call 110 once it is safe", "Remember faces, clothes and the direction of escape",
                           "Close the doors and keep the scene untouched", "Tell the branch manager and head office"),
    IncidentType.FIRE: ("Call 119", "Sound the alarm and announce the evacuation",
                        "Guide customers out by the nearest exit; no lifts", "Lock the cash and close the vaults if safe",
                        "Count staff and customers at the assembly point", "Tell the branch manager and head office"),
    IncidentType.SYSTEM_OUTAGE: ("Announce the outage to the customers waiting", "Call the IT help desk",
                                 "Switch to manual numbering if the ticket machine is down",
                                 "Note the start and end times for head office"),
    IncidentType.DEVICE_FAULT: ("Put an out-of-order sign on the device", "Call the device's service number",
                                "Guide customers to another device or a counter",
                                "If a card or cash is retained, record it with the customer"),
    IncidentType.OTHER: ("Assess the situation and keep people safe", "Tell the branch manager",
                         "Write down what happened"),
}
#: the crowding alert's checklists, by level (File → Emergency plans… edits them; a crowding incident uses the
#: critical one)
CROWDING_STEPS_EN = {
    AlertSeverity.WARNING: ("Lobby manager walks the waiting area and guides customers to self-service machines",
                            "Open a flexible counter if staff are free", "Check that the exits and aisles are clear"),
    AlertSeverity.CRITICAL: ("Stop new customers at the entrance; a staff member explains the wait",
                             "Call the branch manager and the security officer to the lobby",
                             "Open every counter that can be staffed; postpone back-office work",
                             "Keep the emergency exits and the cash-transport route clear",
                             "Report to the regional security desk as the emergency plan requires"),
}
CROWDING_STEPS_ZH = {
    AlertSeverity.WARNING: ("大堂经理巡视等候区，引导客户使用自助设备", "如有空闲人员，开启弹性窗口", "检查出口和通道是否畅通"),
    AlertSeverity.CRITICAL: ("在入口暂停新客户进入，由工作人员解释等候情况", "通知网点负责人和安保人员到大堂",
                             "开启所有可安排人员的窗口，暂缓后台工作", "保持紧急出口和押运通道畅通", "按应急预案向辖区安保部门报告"),
}


def crowding_steps(language: str, severity: AlertSeverity) -> tuple[str, ...]:
    """The built-in crowding checklist of a level (info and warning share the warning one)."""
    steps = CROWDING_STEPS_ZH if language.startswith("zh") else CROWDING_STEPS_EN
    return steps[AlertSeverity.CRITICAL if severity is AlertSeverity.CRITICAL else AlertSeverity.WARNING]
_STEPS_ZH: dict[IncidentType, tuple[str, ...]] = {
    IncidentType.MEDICAL: ("拨打 120，说明网点地址", "取急救箱和 AED", "疏散围观客户，给患者留出空间", "派人到门口接应救护车",
                           "报告网点负责人"),
    IncidentType.SUSPICIOUS: ("暗中观察，不要正面冲突；记下体貌和衣着", "通知安保人员", "查看摄像头画面", "如有威胁，拨打 110"),
    IncidentType.DISPUTE: ("大堂经理上前，冷静倾听", "将客户带离排队区域", "安保人员在旁待命", "如发生暴力，拨打 110",
                           "记录事件经过"),
    IncidentType.ROBBERY: ("保持冷静，不要反抗；以人身安全为先", "在安全时按下无声报警", "安全后拨打 110", "记住相貌、衣着和逃离方向",
                           "关闭大门，保护现场", "报告网点负责人和上级行"),
    IncidentType.FIRE: ("拨打 119", "拉响警报，广播疏散", "引导客户从最近的出口离开，不乘电梯", "如安全，锁好现金、关闭金库",
                        "在集合点清点员工和客户人数", "报告网点负责人和上级行"),
    IncidentType.SYSTEM_OUTAGE: ("向等候客户说明系统故障", "联系科技服务热线", "叫号机故障时改为人工叫号", "记录故障开始和结束时间，报上级行"),
    IncidentType.DEVICE_FAULT: ("在设备上放置暂停服务提示", "拨打设备服务电话", "引导客户到其他设备或柜台", "如有吞卡、吞钞，与客户一起登记"),
    IncidentType.OTHER: ("判断情况，确保人员安全", "报告网点负责人", "记录事件经过"),
}
_CONTACTS: dict[IncidentType, tuple[Contact, ...]] = {
    IncidentType.MEDICAL: (AMBULANCE,),
    IncidentType.SUSPICIOUS: (POLICE,),
    IncidentType.DISPUTE: (POLICE,),
    IncidentType.ROBBERY: (POLICE, AMBULANCE),
    IncidentType.FIRE: (FIRE_SERVICE, AMBULANCE),
}


def default_plans(language: str = "en") -> dict[IncidentType, EmergencyPlan]:
    """A branch's plans before it edits them, in ``language`` ("zh_CN" for Chinese, else English)."""
    steps = {**(_STEPS_ZH if language.startswith("zh") else _STEPS_EN),
             IncidentType.CROWDING: crowding_steps(language, AlertSeverity.CRITICAL)}
    return {kind: EmergencyPlan(kind, steps[kind], _CONTACTS.get(kind, ())) for kind in IncidentType}
