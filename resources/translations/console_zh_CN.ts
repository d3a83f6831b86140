<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AcknowledgeDialog</name>
    <message>
        <source>Resolve alert</source>
        <translation>解除告警</translation>
    </message>
    <message>
        <source>Acknowledge alert</source>
        <translation>确认告警</translation>
    </message>
    <message>
        <source>Emergency plan (应急预案) for this level:</source>
        <translation>本级别的应急预案：</translation>
    </message>
    <message>
        <source>Note (what was done, by whom):</source>
        <translation>备注（采取了什么措施，由谁执行）：</translation>
    </message>
</context>
<context>
    <name>AdminPage</name>
    <message>
        <source>First administrator</source>
        <translation>首位管理员</translation>
    </message>
    <message>
        <source>The branch has no console user yet. The administrator logs in with this user name and password and adds the other users and their roles.</source>
        <translation>本网点还没有监控台用户。管理员用这里的用户名和密码登录，再添加其他用户并分配角色。</translation>
    </message>
    <message>
        <source>for example Wang Fang</source>
        <translation>例如：王芳</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Full name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Password again</source>
        <translation>再次输入密码</translation>
    </message>
    <message>
        <source>There is no default password: keep this one safe. The user is created when you press Finish.</source>
        <translation>系统没有默认密码，请妥善保管此密码。按“完成”后创建该用户。</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
</context>
<context>
    <name>AdvicePanel</name>
    <message>
        <source>Staffing advice: waiting for the first evaluation…</source>
        <translation>人员配置建议：等待首次评估…</translation>
    </message>
    <message>
        <source>Open %1 for %2: %3 is on shift and can take it.</source>
        <translation>开启%1办理%2：%3 在班，可以上岗。</translation>
    </message>
    <message>
        <source>Open %1 for %2: %3 (on break until %4) can take it.</source>
        <translation>开启%1办理%2：%3（休息至 %4）可以上岗。</translation>
    </message>
    <message>
        <source>Recall %3 from the break (until %4) to reopen %1 for %2.</source>
        <translation>请 %3 结束休息（原定至 %4），重新开启%1办理%2。</translation>
    </message>
    <message>
        <source>Switch %1 to call %2 first (%3 can handle it); its own queue has a counter to spare.</source>
        <translation>将%1改为优先叫%2（%3 可办理）；其原业务有富余窗口。</translation>
    </message>
    <message>
        <source>Close %1: idle since %4 and %2 has a counter to spare; %3 is free for other work.</source>
        <translation>关闭%1：自 %4 起空闲，%2有富余窗口；%3 可做其他工作。</translation>
    </message>
    <message>
        <source>Let %1 take %2 too: idle since %4 with nobody waiting for its own queues, and %3 can handle %2. Its own customers still come first; nobody moves.</source>
        <translation>让%1兼办%2：自 %4 起空闲，本窗口业务无人等候，%3 能办理%2。本窗口原有业务客户仍优先叫号；无需调动人员。</translation>
    </message>
    <message>
        <source>measured</source>
        <translation>实测</translation>
    </message>
    <message>
        <source>assumed, too few served yet</source>
        <translation>估计值，已办理笔数太少</translation>
    </message>
    <message>
        <source>%1: %2 tickets/hour in the last 30 min, %3 min per customer (%4), %5 waiting → %6 counters for %7% called within %8 min; %9 working.</source>
        <translation>%1：近 30 分钟每小时 %2 张票，每位客户 %3 分钟（%4），%5 人等候 → 需 %6 个窗口才能 %7% 在 %8 分钟内叫号；现有 %9 个在岗。</translation>
    </message>
    <message>
        <source>Expected share within target: %1 now, %2 with the advice.</source>
        <translation>预计达标比例：当前 %1，采纳建议后 %2。</translation>
    </message>
    <message>
        <source>%1: %2 needed, %3 working (%4/h, %5 min each, %6 waiting)</source>
        <translation>%1：需 %2 个，在岗 %3 个（每小时 %4 张，每位 %5 分钟，%6 人等候）</translation>
    </message>
    <message>
        <source>Costs nothing now: nobody waits for its own queues, which keep their precedence.</source>
        <translation>目前无代价：本窗口业务无人等候，且仍优先叫号。</translation>
    </message>
    <message>
        <source>%1 keeps one counter fewer calling it first: it has one to spare.</source>
        <translation>%1少一个优先叫号的窗口：它有富余。</translation>
    </message>
    <message>
        <source>%1 leaves other work (on shift, not at a counter).</source>
        <translation>%1 需放下手头其他工作（当班，未在窗口）。</translation>
    </message>
    <message>
        <source>%1&apos;s break is cut short.</source>
        <translation>%1 的休息将提前结束。</translation>
    </message>
    <message>
        <source>%1 is free for other work.</source>
        <translation>%1 可去做其他工作。</translation>
    </message>
    <message>
        <source>Expected wait after: %1 min (%2 waiting × %3 min ÷ %4 counters).</source>
        <translation>预计之后等候：%1 分钟（%2 人等候 × 每位 %3 分钟 ÷ %4 个窗口）。</translation>
    </message>
    <message>
        <source>%1 %2 of %3</source>
        <translation>%1 %2/%3</translation>
    </message>
    <message>
        <source> (only one counter takes it)</source>
        <translation>（只有 1 个窗口可办理）</translation>
    </message>
    <message>
        <source> (only %1 counters take it)</source>
        <translation>（只有 %1 个窗口可办理）</translation>
    </message>
    <message>
        <source>Counters working of needed at %1:</source>
        <translation>%1 在岗窗口/所需窗口：</translation>
    </message>
    <message>
        <source>no action needed.</source>
        <translation>无需调整。</translation>
    </message>
    <message>
        <source>short, and no closed counter can be opened with someone free on shift who can take it.</source>
        <translation>窗口不足，且没有可由当班空闲且具备技能的人员开启的关闭窗口。</translation>
    </message>
    <message>
        <source>, </source>
        <comment>list separator</comment>
        <translation>、</translation>
    </message>
    <message>
        <source>More than the counters can take: divert — guide %1 customers to the self-service machines or smart counters for what they can do there, and call the longest waits first.</source>
        <translation>需求超过窗口能力：请分流——引导%1客户到自助设备或智能柜台办理可自助的业务，并优先叫等候最久的号。</translation>
    </message>
    <message>
        <source>Accept</source>
        <translation>采纳</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>忽略</translation>
    </message>
    <message>
        <source>Your role may not change counters.</source>
        <translation>您的角色无权调整窗口。</translation>
    </message>
    <message>
        <source>One more proposal after these.</source>
        <translation>另有 1 条建议。</translation>
    </message>
    <message>
        <source>%1 more proposals after these.</source>
        <translation>另有 %1 条建议。</translation>
    </message>
</context>
<context>
    <name>AlertBanner</name>
    <message>
        <source>Acknowledge…</source>
        <translation>确认…</translation>
    </message>
    <message>
        <source>since %1</source>
        <translation>自 %1 起</translation>
    </message>
    <message>
        <source>+%1 more</source>
        <translation>另有 %1 条</translation>
    </message>
</context>
<context>
    <name>AlertController</name>
    <message>
        <source>Alert</source>
        <extracomment>incidents already shown (reported here, or open when the window started): only new ones sound opens an incident&apos;s dialog (console/app/incident_controller.py), set by the window told the level of the lobby&apos;s open crowding alert (None: none) after each evaluation</extracomment>
        <translation>告警</translation>
    </message>
    <message>
        <source>Not stored: %1</source>
        <translation>未保存：%1</translation>
    </message>
    <message>
        <source>Lobby</source>
        <translation>大堂</translation>
    </message>
    <message>
        <source>Export alerts</source>
        <translation>导出告警</translation>
    </message>
    <message>
        <source>CSV (*.csv);;Excel (*.xlsx)</source>
        <translation>CSV (*.csv);;Excel (*.xlsx)</translation>
    </message>
</context>
<context>
    <name>AlertDeliveryGroup</name>
    <message>
        <source>This PC</source>
        <translation>本机</translation>
    </message>
    <message>
        <source>Play a sound for new alerts</source>
        <translation>新告警时播放提示音</translation>
    </message>
    <message>
        <source>Show a tray message for new alerts</source>
        <translation>新告警时显示托盘通知</translation>
    </message>
    <message>
        <source>Every alert of the branch</source>
        <translation>网点全部告警</translation>
    </message>
    <message>
        <source>addresses, separated by commas</source>
        <translation>邮箱地址，以逗号分隔</translation>
    </message>
    <message>
        <source>Chat robot</source>
        <translation>群机器人</translation>
    </message>
    <message>
        <source>E-mail to</source>
        <translation>发送邮件至</translation>
    </message>
    <message>
        <source>E-mail server (SMTP)</source>
        <translation>邮件服务器（SMTP）</translation>
    </message>
    <message>
        <source>STARTTLS</source>
        <translation>STARTTLS</translation>
    </message>
    <message>
        <source>unchanged (kept in the secret store)</source>
        <translation>不变（保存在密钥库中）</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Sender address</source>
        <translation>发件人地址</translation>
    </message>
    <message>
        <source>Who gets what</source>
        <translation>谁收到哪些告警</translation>
    </message>
    <message>
        <source>Lowest level</source>
        <translation>最低级别</translation>
    </message>
    <message>
        <source>Sound here while logged in</source>
        <translation>登录时本机提示音</translation>
    </message>
    <message>
        <source>Tray message here while logged in</source>
        <translation>登录时本机托盘通知</translation>
    </message>
    <message>
        <source>Own chat robot</source>
        <translation>本角色群机器人</translation>
    </message>
    <message>
        <source>Robot format</source>
        <translation>机器人格式</translation>
    </message>
    <message>
        <source>Own e-mail addresses</source>
        <translation>本角色邮箱</translation>
    </message>
    <message>
        <source>Incidents go at once to the roles their emergency plan names (File → Emergency plans…). Administrators and the demo branch see and hear every alert here.</source>
        <translation>突发事件会立即发给其应急预案指定的角色（文件 → 应急预案…）。管理员和演示网点在本机看到并听到全部告警。</translation>
    </message>
    <message>
        <source>Send a test message</source>
        <translation>发送测试消息</translation>
    </message>
    <message>
        <source>Generic JSON</source>
        <translation>通用 JSON</translation>
    </message>
    <message>
        <source>WeCom robot</source>
        <translation>企业微信机器人</translation>
    </message>
    <message>
        <source>DingTalk robot</source>
        <translation>钉钉机器人</translation>
    </message>
    <message>
        <source>%1: the chat robot&apos;s address must start with http:// or https://.</source>
        <translation>%1：群机器人地址必须以 http:// 或 https:// 开头。</translation>
    </message>
    <message>
        <source>%1: &quot;%2&quot; is not an e-mail address.</source>
        <translation>%1：“%2”不是有效的邮箱地址。</translation>
    </message>
    <message>
        <source>E-mail addresses are filled in: the e-mail server is needed to send to them.</source>
        <translation>已填写邮箱地址：需要设置邮件服务器才能发送。</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>正在发送…</translation>
    </message>
    <message>
        <source>No chat robot or e-mail address is filled in.</source>
        <translation>未填写任何群机器人或邮箱地址。</translation>
    </message>
    <message>
        <source>✓ sent to %1</source>
        <translation>✓ 已发送至 %1</translation>
    </message>
    <message>
        <source>✗ %1: %2</source>
        <translation>✗ %1：%2</translation>
    </message>
</context>
<context>
    <name>AlertList</name>
    <message>
        <source>No alerts today</source>
        <translation>今日无告警</translation>
    </message>
    <message>
        <source>All states</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <source>Open (not resolved)</source>
        <translation>未解除</translation>
    </message>
    <message>
        <source>All severities</source>
        <translation>全部级别</translation>
    </message>
    <message>
        <source>All rules</source>
        <translation>全部规则</translation>
    </message>
    <message>
        <source>Raised</source>
        <translation>触发</translation>
    </message>
    <message>
        <source>Severity</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>Alert</source>
        <translation>告警</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>By / note</source>
        <translation>处理人 / 备注</translation>
    </message>
    <message>
        <source>Ended</source>
        <translation>结束</translation>
    </message>
    <message>
        <source>Acknowledge…</source>
        <translation>确认…</translation>
    </message>
    <message>
        <source>Resolve…</source>
        <translation>解除…</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <source>Rules…</source>
        <translation>规则…</translation>
    </message>
    <message>
        <source>%1 open, %2 today</source>
        <translation>%1 条未解除，今日共 %2 条</translation>
    </message>
    <message>
        <source>Snapshot: %1</source>
        <translation>快照：%1</translation>
    </message>
    <message>
        <source>not delivered</source>
        <translation>未送达</translation>
    </message>
    <message>
        <source>Select an alert to read it in full here.</source>
        <extracomment>below this width (pixels) the panel drops the &quot;By / note&quot; and &quot;Ended&quot; columns (the detail pane below the list gives both) and wraps each alert&apos;s words on up to two lines, so the sentence itself stays readable</extracomment>
        <translation>选中一条告警，可在此查看完整内容。</translation>
    </message>
    <message>
        <source>↑ escalated: not acknowledged in time, notified again</source>
        <translation>↑ 已升级通知：未及时确认，已再次通知</translation>
    </message>
    <message>
        <source>Raised %1</source>
        <translation>触发于 %1</translation>
    </message>
    <message>
        <source>ended %1</source>
        <translation>结束于 %1</translation>
    </message>
    <message>
        <source>not acknowledged yet</source>
        <translation>尚未确认</translation>
    </message>
    <message>
        <source>by %1</source>
        <translation>处理人 %1</translation>
    </message>
    <message>
        <source>not delivered: %1</source>
        <translation>未送达：%1</translation>
    </message>
</context>
<context>
    <name>AlertRulesDialog</name>
    <message>
        <source>Alert rules</source>
        <translation>告警规则</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Watches</source>
        <translation>监测</translation>
    </message>
    <message>
        <source>Only for</source>
        <translation>仅限</translation>
    </message>
    <message>
        <source>Levels</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>Sustain / clear / cooldown</source>
        <translation>持续 / 解除 / 冷却</translation>
    </message>
    <message>
        <source>Hours</source>
        <translation>时段</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Add…</source>
        <translation>添加…</translation>
    </message>
    <message>
        <source>Change…</source>
        <translation>修改…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Snooze 30 min</source>
        <translation>暂停 30 分钟</translation>
    </message>
    <message>
        <source>Defaults</source>
        <translation>恢复默认</translation>
    </message>
    <message>
        <source>On</source>
        <translation>启用</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>停用</translation>
    </message>
    <message>
        <source>Snoozed until %1</source>
        <translation>暂停至 %1</translation>
    </message>
    <message>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>未保存：%1</translation>
    </message>
</context>
<context>
    <name>AlertWords</name>
    <message>
        <source>Crowding</source>
        <translation>拥挤</translation>
    </message>
    <message>
        <source>Long wait</source>
        <translation>等候过长</translation>
    </message>
    <message>
        <source>Queue per counter</source>
        <translation>窗口人均排队</translation>
    </message>
    <message>
        <source>Service level</source>
        <translation>服务水平</translation>
    </message>
    <message>
        <source>Idle counter</source>
        <translation>窗口空闲</translation>
    </message>
    <message>
        <source>Staffing shortfall</source>
        <translation>人手不足</translation>
    </message>
    <message>
        <source>Camera offline</source>
        <translation>摄像头离线</translation>
    </message>
    <message>
        <source>Not logged in</source>
        <translation>未登录</translation>
    </message>
    <message>
        <source>Priority customer waiting</source>
        <translation>优先客户等候</translation>
    </message>
    <message>
        <source>Low customer rating</source>
        <translation>客户评价偏低</translation>
    </message>
    <message>
        <source>%1 %2 (uncalibrated, may count low)</source>
        <translation>%1 %2（未校准，人多时可能偏少）</translation>
    </message>
    <message>
        <source>%1 %2 ± %3</source>
        <translation>%1 %2 ± %3</translation>
    </message>
    <message>
        <source>(calibration may be stale)</source>
        <translation>（校准可能已失效）</translation>
    </message>
    <message>
        <source>Lobby</source>
        <translation>大堂</translation>
    </message>
    <message>
        <source>%1 crowded: %2% of capacity (%3), threshold %4%</source>
        <translation>%1 拥挤：达到容量的 %2%（%3），阈值 %4%</translation>
    </message>
    <message>
        <source>counted by: %1</source>
        <translation>依据：%1</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分钟</translation>
    </message>
    <message>
        <source>and others</source>
        <translation>等</translation>
    </message>
    <message>
        <source>Drill</source>
        <translation>演练</translation>
    </message>
    <message>
        <source>Incident</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>Priority customers: longest wait %1 min, threshold %2 min — waiting over %2 min: %3</source>
        <translation>优先客户：最长等候 %1 分钟，阈值 %2 分钟——等候超过 %2 分钟：%3</translation>
    </message>
    <message>
        <source>%1 queue: longest wait %2 min, threshold %3 min — waiting over %3 min: %4</source>
        <translation>%1队列：最长等候 %2 分钟，阈值 %3 分钟——等候超过 %3 分钟：%4</translation>
    </message>
    <message>
        <source>Ticket %1 (%2) waiting %3 min, threshold %4 min</source>
        <translation>%1 号（%2）已等候 %3 分钟，阈值 %4 分钟</translation>
    </message>
    <message>
        <source>%1: %2 tickets waiting per open counter, threshold %3</source>
        <translation>%1：每个开放窗口 %2 人等候，阈值 %3</translation>
    </message>
    <message>
        <source>Service level %1% over the last hour, below %2%</source>
        <translation>近一小时服务水平 %1%，低于 %2%</translation>
    </message>
    <message>
        <source>%1 idle %2 min while customers wait</source>
        <translation>%1 空闲 %2 分钟，但有客户在等候</translation>
    </message>
    <message>
        <source>%1: customers rate today&apos;s service %2 of 5 on average, below %3 (%4)</source>
        <translation>%1：今日客户评价平均 %2 分（5 分制），低于 %3（%4）</translation>
    </message>
    <message>
        <source>Staffing: one counter short of what the queues need</source>
        <translation>人手不足：比排队所需少 1 个窗口</translation>
    </message>
    <message>
        <source>Staffing: %1 counters short of what the queues need</source>
        <translation>人手不足：比排队所需少 %1 个窗口</translation>
    </message>
    <message>
        <source>%1: one counter short of what the queue needs</source>
        <translation>%1：比排队所需少 1 个窗口</translation>
    </message>
    <message>
        <source>%1: %2 counters short of what the queue needs</source>
        <translation>%1：比排队所需少 %2 个窗口</translation>
    </message>
    <message>
        <source>Camera %1 offline for %2</source>
        <translation>摄像头 %1 已离线 %2</translation>
    </message>
    <message>
        <source>%1 not logged in at %2, %3 min after the shift start</source>
        <translation>%1 班次开始 %3 分钟后仍未在 %2 登录</translation>
    </message>
    <message>
        <source>%1 rated, %2 scored 1 or 2</source>
        <translation>%1 条评价，%2 条 1–2 分</translation>
    </message>
    <message>
        <source>min</source>
        <translation>分钟</translation>
    </message>
    <message>
        <source>s</source>
        <translation>秒</translation>
    </message>
    <message>
        <source>points of 5</source>
        <translation>分（满分 5 分）</translation>
    </message>
</context>
<context>
    <name>ApiTokenGroup</name>
    <message>
        <source>API</source>
        <translation>接口</translation>
    </message>
    <message>
        <source>Kept in: %1</source>
        <translation>保存在：%1</translation>
    </message>
    <message>
        <source>Rotate token…</source>
        <translation>更换令牌…</translation>
    </message>
    <message>
        <source>Ticket feed token</source>
        <translation>叫号数据令牌</translation>
    </message>
    <message>
        <source>cannot be read: %1</source>
        <translation>无法读取：%1</translation>
    </message>
    <message>
        <source>none yet</source>
        <translation>尚未设置</translation>
    </message>
    <message>
        <source>Rotate API token</source>
        <translation>更换接口令牌</translation>
    </message>
    <message>
        <source>Make a new API token? The ticketing system must then be given the new token: the old one is refused at once.</source>
        <translation>生成新的接口令牌？之后须把新令牌配置到叫号系统：旧令牌将立即失效。</translation>
    </message>
    <message>
        <source>Token not rotated</source>
        <translation>令牌未更换</translation>
    </message>
    <message>
        <source>The new token could not be stored, so the old one stays valid: %1</source>
        <translation>新令牌无法保存，旧令牌仍然有效：%1</translation>
    </message>
    <message>
        <source>Rotation not audited</source>
        <translation>更换未写入审计记录</translation>
    </message>
</context>
<context>
    <name>AttendanceView</name>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Employee no.</source>
        <translation>工号</translation>
    </message>
    <message>
        <source>Rostered</source>
        <translation>排班</translation>
    </message>
    <message>
        <source>Counter</source>
        <translation>窗口</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>First login</source>
        <translation>首次登录</translation>
    </message>
    <message>
        <source>Last logout</source>
        <translation>最后退出</translation>
    </message>
    <message>
        <source>Minutes at counter</source>
        <translation>在窗口分钟数</translation>
    </message>
    <message>
        <source>Check in</source>
        <translation>签到</translation>
    </message>
    <message>
        <source>Check out</source>
        <translation>签退</translation>
    </message>
    <message>
        <source>Export month…</source>
        <translation>导出本月…</translation>
    </message>
    <message>
        <source>Record the selected person as arrived now (for staff without a counter login)</source>
        <translation>将所选人员记为现在到岗（用于没有窗口登录的人员）</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>On time</source>
        <translation>准时</translation>
    </message>
    <message>
        <source>Late</source>
        <translation>迟到</translation>
    </message>
    <message>
        <source>Left early</source>
        <translation>早退</translation>
    </message>
    <message>
        <source>Late, left early</source>
        <translation>迟到且早退</translation>
    </message>
    <message>
        <source>Absent</source>
        <translation>缺勤</translation>
    </message>
    <message>
        <source>Not started</source>
        <translation>未开始</translation>
    </message>
    <message>
        <source>On shift, not logged in yet</source>
        <translation>当班，尚未登录</translation>
    </message>
    <message>
        <source>On leave</source>
        <translation>请假</translation>
    </message>
    <message>
        <source>Back office (not checked)</source>
        <translation>后台（不考核）</translation>
    </message>
    <message>
        <source>(%1 min late)</source>
        <translation>（迟到 %1 分钟）</translation>
    </message>
    <message>
        <source>(%1 min early)</source>
        <translation>（早退 %1 分钟）</translation>
    </message>
    <message>
        <source>%1 records: %2 late, %3 left early, %4 absent</source>
        <translation>%1 条排班：迟到 %2，早退 %3，缺勤 %4</translation>
    </message>
    <message>
        <source>, %1 on shift not logged in yet</source>
        <translation>，%1 人当班尚未登录</translation>
    </message>
    <message>
        <source>Attendance</source>
        <translation>考勤</translation>
    </message>
    <message>
        <source>Select a person in the table first.</source>
        <translation>请先在表格中选择人员。</translation>
    </message>
    <message>
        <source>Not stored: %1</source>
        <translation>未保存：%1</translation>
    </message>
    <message>
        <source>Export attendance</source>
        <translation>导出考勤</translation>
    </message>
    <message>
        <source>Excel (*.xlsx);;CSV (*.csv)</source>
        <translation>Excel (*.xlsx);;CSV (*.csv)</translation>
    </message>
    <message>
        <source>%1 records of %2 written to %3</source>
        <translation>%2 的 %1 条记录已写入 %3</translation>
    </message>
</context>
<context>
    <name>AuditDialog</name>
    <message>
        <source>Audit trail</source>
        <translation>审计记录</translation>
    </message>
    <message>
        <source>Search user, counter, person…</source>
        <extracomment>checks the keyed chain and the anchor (console/security/audit_seal.py); None: no audit key in use</extracomment>
        <translation>搜索用户、窗口、人员…</translation>
    </message>
    <message>
        <source>No.</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>What</source>
        <translation>对象</translation>
    </message>
    <message>
        <source>Before</source>
        <translation>修改前</translation>
    </message>
    <message>
        <source>After</source>
        <translation>修改后</translation>
    </message>
    <message>
        <source>Verify</source>
        <translation>校验</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>All actions</source>
        <translation>全部操作</translation>
    </message>
    <message>
        <source>%1 of %2 entries shown, newest first.</source>
        <translation>显示 %2 条中的 %1 条，最新的在前。</translation>
    </message>
    <message>
        <source>The trail cannot be checked here: no audit key is in use.</source>
        <translation>此处无法校验审计日志：未使用审计密钥。</translation>
    </message>
    <message>
        <source>Intact: all %1 entries and their links check out with the audit key, and the anchor outside the database agrees.</source>
        <translation>完好：全部 %1 条记录及其链接经审计密钥校验无误，数据库外的锚点也一致。</translation>
    </message>
    <message>
        <source>its content or hash was changed after it was written, or it was inserted with a forged hash</source>
        <translation>写入后其内容或哈希被修改，或以伪造的哈希插入</translation>
    </message>
    <message>
        <source>entries before it were deleted or the order changed</source>
        <translation>其之前的记录被删除或顺序被改动</translation>
    </message>
    <message>
        <source>it was written into the database without the audit key</source>
        <translation>未经审计密钥直接写入数据库</translation>
    </message>
    <message>
        <source>the newest entries after it were deleted (the anchor names a later entry)</source>
        <translation>其后的最新记录被删除（锚点指向更晚的记录）</translation>
    </message>
    <message>
        <source>Broken at entry %1: %2.</source>
        <translation>第 %1 条记录处断链：%2。</translation>
    </message>
    <message>
        <source>Export audit trail</source>
        <translation>导出审计记录</translation>
    </message>
    <message>
        <source>CSV (*.csv);;Excel (*.xlsx)</source>
        <translation>CSV (*.csv);;Excel (*.xlsx)</translation>
    </message>
</context>
<context>
    <name>BranchPage</name>
    <message>
        <source>Your branch</source>
        <translation>您的网点</translation>
    </message>
    <message>
        <source>The branch as the bank knows it, its time zone and how many people its lobby holds.</source>
        <translation>网点在行内的代码和名称、所在时区，以及营业厅可容纳的人数。</translation>
    </message>
    <message>
        <source>for example SH01</source>
        <translation>例如：SH01</translation>
    </message>
    <message>
        <source>The code names the branch&apos;s stored data and cannot be changed.</source>
        <translation>网点代码标识网点已保存的数据，不能修改。</translation>
    </message>
    <message>
        <source>for example Shanghai Branch Business Department</source>
        <translation>例如：上海分行营业部</translation>
    </message>
    <message>
        <source> people</source>
        <translation> 人</translation>
    </message>
    <message>
        <source> seats</source>
        <translation> 个座位</translation>
    </message>
    <message>
        <source>Branch code</source>
        <translation>网点代码</translation>
    </message>
    <message>
        <source>Branch name</source>
        <translation>网点名称</translation>
    </message>
    <message>
        <source>Time zone</source>
        <translation>时区</translation>
    </message>
    <message>
        <source>Lobby capacity</source>
        <translation>营业厅容量</translation>
    </message>
    <message>
        <source>Waiting-area seats</source>
        <translation>等候区座位</translation>
    </message>
    <message>
        <source>The lobby capacity is the number of people the premises are rated for; the crowding alerts and the lobby figure are measured against it. The branch code is 1 to 16 letters, digits, &apos;-&apos; or &apos;_&apos;.</source>
        <translation>营业厅容量是场所核定可容纳的人数，拥挤告警和厅堂人数都以它为准。网点代码由 1 至 16 个字母、数字、“-”或“_”组成。</translation>
    </message>
    <message>
        <source>Enter the branch code: 1 to 16 letters, digits, &apos;-&apos; or &apos;_&apos; (for example SH01).</source>
        <translation>请输入网点代码：1 至 16 个字母、数字、“-”或“_”（例如 SH01）。</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a branch code: use 1 to 16 letters, digits, &apos;-&apos; or &apos;_&apos;, without spaces.</source>
        <translation>“%1”不是有效的网点代码：只能使用 1 至 16 个字母、数字、“-”或“_”，不能有空格。</translation>
    </message>
    <message>
        <source>Enter the branch&apos;s name.</source>
        <translation>请输入网点名称。</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a known time zone; choose one from the list (for example Asia/Shanghai).</source>
        <translation>“%1”不是已知的时区，请从列表中选择（例如 Asia/Shanghai）。</translation>
    </message>
    <message>
        <source>Enter the lobby capacity: the number of people the premises are rated for (above 0).</source>
        <translation>请输入营业厅容量：场所核定可容纳的人数（大于 0）。</translation>
    </message>
    <message>
        <source>The waiting area cannot have more seats (%1) than the lobby holds people (%2).</source>
        <translation>等候区座位数（%1）不能多于营业厅可容纳的人数（%2）。</translation>
    </message>
</context>
<context>
    <name>BranchWizard</name>
    <message>
        <source>Set up your branch</source>
        <translation>设置您的网点</translation>
    </message>
    <message>
        <source>Branch settings: %1</source>
        <translation>网点设置：%1</translation>
    </message>
    <message>
        <source>Set-up wizard</source>
        <translation>网点设置向导</translation>
    </message>
    <message>
        <source>; </source>
        <translation>；</translation>
    </message>
    <message>
        <source>Branch</source>
        <translation>网点</translation>
    </message>
    <message>
        <source>%1 %2, time zone %3: a lobby for %4 people with %5 waiting seats.</source>
        <translation>%1 %2，时区 %3：营业厅可容纳 %4 人，等候区 %5 个座位。</translation>
    </message>
    <message>
        <source>Mon</source>
        <translation>周一</translation>
    </message>
    <message>
        <source>Tue</source>
        <translation>周二</translation>
    </message>
    <message>
        <source>Wed</source>
        <translation>周三</translation>
    </message>
    <message>
        <source>Thu</source>
        <translation>周四</translation>
    </message>
    <message>
        <source>Fri</source>
        <translation>周五</translation>
    </message>
    <message>
        <source>Sat</source>
        <translation>周六</translation>
    </message>
    <message>
        <source>Sun</source>
        <translation>周日</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>休息</translation>
    </message>
    <message>
        <source>Opening hours</source>
        <translation>营业时间</translation>
    </message>
    <message>
        <source>Public holidays keep Sunday&apos;s hours, working weekends Monday&apos;s.</source>
        <translation>法定节假日按周日的时间营业，调休上班的周末按周一的时间营业。</translation>
    </message>
    <message>
        <source>Counters (%1)</source>
        <translation>窗口（%1 个）</translation>
    </message>
    <message>
        <source>Removed: %1. A counter that is open or serving, or that open tickets name, cannot be removed; then nothing is stored.</source>
        <translation>删除：%1。正在开放或办理业务、或仍有未结束号票的窗口不能删除，此时不会保存任何内容。</translation>
    </message>
    <message>
        <source>Set-up not finished</source>
        <translation>设置未完成</translation>
    </message>
    <message>
        <source>The set-up could not be finished: %1</source>
        <translation>无法完成设置：%1</translation>
    </message>
    <message>
        <source>%1 %2: %3</source>
        <translation>%1 %2：%3</translation>
    </message>
    <message>
        <source> (flexible)</source>
        <translation>（弹性窗口）</translation>
    </message>
    <message>
        <source>Business names</source>
        <translation>业务名称</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Staff directory (%1)</source>
        <translation>员工名册（%1 人）</translation>
    </message>
    <message>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>Staff directory</source>
        <translation>员工名册</translation>
    </message>
    <message>
        <source>nobody yet; the roster editor adds people later.</source>
        <translation>暂无人员，以后可在排班编辑中添加。</translation>
    </message>
    <message>
        <source>First administrator</source>
        <translation>首位管理员</translation>
    </message>
    <message>
        <source>HTTP API (the ticketing system sends each event)</source>
        <translation>HTTP 接口（叫号系统实时发送每个事件）</translation>
    </message>
    <message>
        <source>CSV import of the day&apos;s ticket log</source>
        <translation>导入当天叫号记录的 CSV 文件</translation>
    </message>
    <message>
        <source>Ticket feed</source>
        <translation>叫号数据</translation>
    </message>
    <message>
        <source>Service standard</source>
        <translation>服务标准</translation>
    </message>
    <message>
        <source>target wait %1 min, maximum wait %2 min.</source>
        <translation>目标等候 %1 分钟，最长等候 %2 分钟。</translation>
    </message>
</context>
<context>
    <name>CalibrationDialog</name>
    <message>
        <source>Count calibration — %1</source>
        <translation>人数校准 — %1</translation>
    </message>
    <message>
        <source>Use this count</source>
        <translation>采用此人数</translation>
    </message>
    <message>
        <source>◀ Previous</source>
        <translation>◀ 上一帧</translation>
    </message>
    <message>
        <source>Next ▶</source>
        <translation>下一帧 ▶</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>拟合</translation>
    </message>
    <message>
        <source>Remove calibration</source>
        <translation>取消校准</translation>
    </message>
    <message>
        <source>People in this frame</source>
        <translation>本帧人数</translation>
    </message>
    <message>
        <source>Click on every person&apos;s head (right-click removes a mark), or type the count; then &apos;Use this count&apos;. Label at least 4 frames, better 10 or more.</source>
        <translation>点击画面中每个人的头部（右键删除标记），或直接输入人数，然后点“采用此人数”。至少标注 4 帧，最好 10 帧以上。</translation>
    </message>
    <message>
        <source>This camera has no frames to label yet: it keeps one every 10 seconds while it runs.</source>
        <translation>该摄像头暂无可标注的画面：运行时每 10 秒保留一帧。</translation>
    </message>
    <message>
        <source>frame %1 of %2</source>
        <translation>第 %1 帧，共 %2 帧</translation>
    </message>
    <message>
        <source>%1 frames labelled.</source>
        <translation>已标注 %1 帧。</translation>
    </message>
    <message>
        <source>Some labelled frames have no picture to measure: close this dialog and label frames the camera kept since.</source>
        <translation>部分已标注的帧没有可测量的画面：请关闭此对话框，改为标注摄像机此后保存的帧。</translation>
    </message>
    <message>
        <source>On %1 labelled frames: error %2 people per frame without calibration, %3 with it (each frame predicted by a model fitted without it); %4 by the simplest rule (%5).</source>
        <translation>在 %1 帧已标注画面上：未校准时每帧误差 %2 人，校准后 %3 人（每帧均由不含该帧的模型预测）；最简单的规则（%5）误差 %4 人。</translation>
    </message>
    <message>
        <source>The fitted model does not count better than that rule, so the rule is saved instead; labelling more frames, quiet and crowded, may give a better model.</source>
        <translation>拟合的模型不比该规则更准，因此保存该规则；多标注一些画面（包括人少和拥挤的时刻）可能得到更好的模型。</translation>
    </message>
    <message>
        <source>Once saved, the camera shows its count as &quot;N ± %1 people&quot;: 80% of the labelled frames were within %1.</source>
        <translation>保存后，该摄像头的人数将显示为“N ± %1 人”：80% 的已标注画面误差在 %1 人以内。</translation>
    </message>
    <message>
        <source>the mean count</source>
        <translation>平均人数</translation>
    </message>
    <message>
        <source>the uncalibrated count times one factor</source>
        <translation>未校准人数乘以一个系数</translation>
    </message>
</context>
<context>
    <name>CameraEditDialog</name>
    <message>
        <source>Add camera</source>
        <translation>添加摄像头</translation>
    </message>
    <message>
        <source>Camera settings</source>
        <translation>摄像头设置</translation>
    </message>
    <message>
        <source>e.g. CAM1</source>
        <translation>例如 CAM1</translation>
    </message>
    <message>
        <source>rtsp://user:password@nvr/stream, http://…, a video file, a folder of frames, or usb:0</source>
        <translation>rtsp://用户:密码@录像机/码流、http://…、视频文件、图片文件夹或 usb:0</translation>
    </message>
    <message>
        <source>Best installed model</source>
        <translation>已安装的最佳模型</translation>
    </message>
    <message>
        <source>OpenCV HOG (low accuracy)</source>
        <translation>OpenCV HOG（精度低）</translation>
    </message>
    <message>
        <source> frames/s</source>
        <translation> 帧/秒</translation>
    </message>
    <message>
        <source>This console</source>
        <translation>本监控台</translation>
    </message>
    <message>
        <source>A worker PC (main.py worker)</source>
        <translation>工作站电脑（main.py worker）</translation>
    </message>
    <message>
        <source>A camera counted by a headless worker on another PC writes its figures to the shared database; this console shows them without a picture.</source>
        <translation>由另一台电脑上的无界面工作站计数的摄像头会把数据写入共享数据库；本监控台显示这些数据，但不显示画面。</translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation>启用</translation>
    </message>
    <message>
        <source>Camera id</source>
        <translation>摄像头编号</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>视频源</translation>
    </message>
    <message>
        <source>Detector model</source>
        <translation>检测模型</translation>
    </message>
    <message>
        <source>Analysis rate</source>
        <translation>分析帧率</translation>
    </message>
    <message>
        <source>Counted by</source>
        <translation>计数位置</translation>
    </message>
    <message>
        <source>Camera id: 1 to 32 letters, digits, &apos;-&apos; or &apos;_&apos;.</source>
        <translation>摄像头编号：1 到 32 个字母、数字、“-”或“_”。</translation>
    </message>
    <message>
        <source>Camera id %1 is already used.</source>
        <translation>摄像头编号 %1 已被使用。</translation>
    </message>
    <message>
        <source>Source: %1</source>
        <translation>视频源：%1</translation>
    </message>
</context>
<context>
    <name>CameraListDialog</name>
    <message>
        <source>Cameras</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>视频源</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Add…</source>
        <translation>添加…</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>设置…</translation>
    </message>
    <message>
        <source>Zones and lines…</source>
        <translation>区域与计数线…</translation>
    </message>
    <message>
        <source>Calibrate count…</source>
        <translation>人数校准…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Models…</source>
        <translation>模型…</translation>
    </message>
    <message>
        <source>No detector model is installed yet: cameras fall back to OpenCV&apos;s HOG detector. Install one with Models…</source>
        <translation>尚未安装检测模型：摄像机暂用 OpenCV 的 HOG 检测器。请通过“模型…”安装。</translation>
    </message>
    <message>
        <source>best installed</source>
        <translation>已安装的最佳模型</translation>
    </message>
    <message>
        <source>enabled</source>
        <translation>已启用</translation>
    </message>
    <message>
        <source>disabled</source>
        <translation>已停用</translation>
    </message>
    <message>
        <source>calibration may be stale (the picture has changed)</source>
        <translation>校准可能已失效（画面已变化）</translation>
    </message>
    <message>
        <source>Camera not saved</source>
        <translation>摄像机未保存</translation>
    </message>
    <message>
        <source>The camera&apos;s password could not be stored safely, so nothing was changed: %1</source>
        <translation>摄像机密码无法安全保存，未做任何更改：%1</translation>
    </message>
    <message>
        <source>Zones and lines</source>
        <translation>区域与计数线</translation>
    </message>
    <message>
        <source>Camera %1 has not delivered a picture yet; zones are drawn on the live picture.</source>
        <translation>摄像头 %1 尚未传来画面；区域需在实时画面上绘制。</translation>
    </message>
    <message>
        <source>Remove camera</source>
        <translation>删除摄像头</translation>
    </message>
    <message>
        <source>Remove camera %1 with its zones and lines? Its counts so far stay in the history.</source>
        <translation>删除摄像头 %1 及其区域和计数线？已记录的人数保留在历史中。</translation>
    </message>
</context>
<context>
    <name>CameraTile</name>
    <message>
        <source>No picture yet</source>
        <translation>暂无画面</translation>
    </message>
</context>
<context>
    <name>CamerasPage</name>
    <message>
        <source>Cameras (optional)</source>
        <translation>摄像头（可选）</translation>
    </message>
    <message>
        <source>Cameras count the people in the lobby and the waiting area.</source>
        <translation>摄像头统计营业厅和等候区的人数。</translation>
    </message>
    <message>
        <source>Open the Cameras dialog…</source>
        <translation>打开摄像头设置…</translation>
    </message>
    <message>
        <source>Add the branch&apos;s cameras now, or later with File → Cameras…. The branch works without cameras: the queue and the counters come from the ticketing system; only the people in the lobby are counted by cameras.</source>
        <translation>现在添加网点的摄像头，或以后通过“文件 → 摄像头…”添加。没有摄像头网点也能使用：排队和窗口数据来自叫号系统，只有大堂人数需要摄像头统计。</translation>
    </message>
    <message>
        <source>Cameras can be added later with File → Cameras…. The branch works without cameras: the queue and the counters come from the ticketing system; only the people in the lobby are counted by cameras.</source>
        <translation>摄像头可以以后通过“文件 → 摄像头…”添加。没有摄像头网点也能使用：排队和窗口数据来自叫号系统，只有大堂人数需要摄像头统计。</translation>
    </message>
</context>
<context>
    <name>CounterBoard</name>
    <message>
        <source>Counter</source>
        <extracomment>Background of the state cell while a request for the counter is pending. Background colours of the state column; the state is also written as a word (colour is never the only cue).</extracomment>
        <translation>窗口</translation>
    </message>
    <message>
        <source>Service types</source>
        <translation>业务类型</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>人员</translation>
    </message>
    <message>
        <source>Ticket</source>
        <translation>号票</translation>
    </message>
    <message>
        <source>For</source>
        <translation>已用时</translation>
    </message>
    <message>
        <source>Served today</source>
        <translation>今日办理</translation>
    </message>
    <message>
        <source>Avg handling</source>
        <translation>平均办理时长</translation>
    </message>
    <message>
        <source>Open…</source>
        <translation>开启…</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Close…</source>
        <translation>关闭…</translation>
    </message>
    <message>
        <source>Staff…</source>
        <translation>人员…</translation>
    </message>
    <message>
        <source>Service types…</source>
        <translation>业务类型…</translation>
    </message>
    <message>
        <source>Select a counter first</source>
        <translation>请先选择一个窗口</translation>
    </message>
    <message>
        <source>Not possible while the counter is %1</source>
        <translation>窗口处于“%1”状态时不可用</translation>
    </message>
    <message>
        <source>%1 → %2 after this customer</source>
        <translation>%1 → 本位客户办完后%2</translation>
    </message>
    <message>
        <source>%1 → %2 requested</source>
        <translation>%1 → 已请求%2</translation>
    </message>
</context>
<context>
    <name>CounterController</name>
    <message>
        <source>%1 is not one of this branch&apos;s counters.</source>
        <translation>%1 不是本网点的窗口。</translation>
    </message>
    <message>
        <source>%1 is already %3.</source>
        <translation>%1 已经是“%3”状态。</translation>
    </message>
    <message>
        <source>%1 is offline: its terminal does not answer. Close it, or wait until it is back.</source>
        <translation>%1 离线：窗口终端无响应。可将其关闭，或等待终端恢复。</translation>
    </message>
    <message>
        <source>%1 is closed: choose who will work there.</source>
        <translation>%1 已关闭：请选择在该窗口工作的人员。</translation>
    </message>
    <message>
        <source>%2 is not in the staff directory.</source>
        <translation>员工名录中没有 %2。</translation>
    </message>
    <message>
        <source>%2 is on leave today and cannot take %1.</source>
        <translation>%2 今天请假，不能接手 %1。</translation>
    </message>
    <message>
        <source>%2 cannot handle %4, which %1 takes.</source>
        <translation>%2 不能办理 %4，而 %1 受理该业务。</translation>
    </message>
    <message>
        <source>%2 is working at %5. Pause or close %5 first.</source>
        <translation>%2 正在 %5 工作。请先暂停或关闭 %5。</translation>
    </message>
    <message>
        <source>%1 must take at least one service type.</source>
        <translation>%1 至少要受理一种业务类型。</translation>
    </message>
    <message>
        <source>%2 is already at %1.</source>
        <translation>%2 已在 %1。</translation>
    </message>
    <message>
        <source>The request for %1 was not stored, nothing was changed: %2</source>
        <translation>%1 的操作未能保存，未做任何更改：%2</translation>
    </message>
    <message>
        <source>%1 is the last open counter for %2, and %3 customers are waiting for it. Close it anyway?</source>
        <translation>%1 是受理 %2 的最后一个开放窗口，当前有 %3 位客户在等候。仍要关闭吗？</translation>
    </message>
</context>
<context>
    <name>CountersPage</name>
    <message>
        <source>Counters</source>
        <translation>窗口</translation>
    </message>
    <message>
        <source>Every counter (窗口) of the branch, the service types it takes, the preferred first, and whether it is a flexible counter (弹性窗口) opened at peaks.</source>
        <translation>网点的每个窗口、可办理的业务类型（优先办理的排在最前），以及是否为高峰时开放的弹性窗口。</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Service types (preferred first)</source>
        <translation>业务类型（优先的在前）</translation>
    </message>
    <message>
        <source>Flexible</source>
        <translation>弹性窗口</translation>
    </message>
    <message>
        <source>Add counter</source>
        <translation>添加窗口</translation>
    </message>
    <message>
        <source>Remove counter</source>
        <translation>删除窗口</translation>
    </message>
    <message>
        <source>Move up</source>
        <translation>上移</translation>
    </message>
    <message>
        <source>Move down</source>
        <translation>下移</translation>
    </message>
    <message>
        <source>Service types of the selected counter</source>
        <translation>所选窗口的业务类型</translation>
    </message>
    <message>
        <source>Tick the types the counter takes and move the one it calls first to the top.</source>
        <translation>勾选窗口办理的业务类型，并把优先叫号的类型移到最上面。</translation>
    </message>
    <message>
        <source>Double-click an id or a name to change it; the id is what the ticketing system sends (1 to 16 letters, digits, &apos;-&apos; or &apos;_&apos;).</source>
        <translation>双击编号或名称即可修改；编号与叫号系统发送的窗口编号一致（1 至 16 个字母、数字、“-”或“_”）。</translation>
    </message>
    <message>
        <source>(none ticked)</source>
        <translation>（未勾选）</translation>
    </message>
    <message>
        <source>Service types of counter %1</source>
        <translation>窗口 %1 的业务类型</translation>
    </message>
    <message>
        <source>Add at least one counter.</source>
        <translation>请至少添加一个窗口。</translation>
    </message>
    <message>
        <source>Row %1: enter the counter&apos;s id.</source>
        <translation>第 %1 行：请输入窗口编号。</translation>
    </message>
    <message>
        <source>Row %1: &apos;%2&apos; is not a counter id: use 1 to 16 letters, digits, &apos;-&apos; or &apos;_&apos;, without spaces.</source>
        <translation>第 %1 行：“%2”不是有效的窗口编号：只能使用 1 至 16 个字母、数字、“-”或“_”，不能有空格。</translation>
    </message>
    <message>
        <source>Row %1: the id %2 is already used on row %3.</source>
        <translation>第 %1 行：编号 %2 已在第 %3 行使用。</translation>
    </message>
    <message>
        <source>Row %1: enter the counter&apos;s name.</source>
        <translation>第 %1 行：请输入窗口名称。</translation>
    </message>
    <message>
        <source>Row %1: tick at least one service type the counter takes.</source>
        <translation>第 %1 行：请至少勾选一种窗口办理的业务类型。</translation>
    </message>
</context>
<context>
    <name>CoverageChart</name>
    <message>
        <source>Counters in the branch: %1</source>
        <translation>本网点窗口数：%1</translation>
    </message>
    <message>
        <source>forecast %1 tickets</source>
        <translation>预测 %1 张票</translation>
    </message>
    <message>
        <source>counters required %1, staff on shift %2</source>
        <translation>所需窗口 %1，在班人员 %2</translation>
    </message>
    <message>
        <source>%1: %2 within target with %3 counters, %4 with %5</source>
        <translation>%1：%3 个窗口时 %2 达标，%5 个窗口时 %4</translation>
    </message>
</context>
<context>
    <name>CoverageView</name>
    <message>
        <source>one counter more (+1)</source>
        <translation>多一个窗口（+1）</translation>
    </message>
    <message>
        <source>one counter fewer (−1)</source>
        <translation>少一个窗口（−1）</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>What if</source>
        <translation>假设</translation>
    </message>
    <message>
        <source>Forecast from %1 days of ticket history.</source>
        <translation>预测基于 %1 天的取号历史。</translation>
    </message>
    <message>
        <source>Not enough ticket history yet: the forecast uses the demo branch&apos;s demand profile.</source>
        <translation>取号历史不足：预测使用演示网点的客流曲线。</translation>
    </message>
    <message>
        <source>Bars: counters required (colour per service type) for %1% called within %2 min; black line: staff on shift; red: counters required beyond the staff on shift (%3 half-hours). Lower band: %4 with the required counters (grey) and %5 (colour).</source>
        <translation>柱：为 %1% 在 %2 分钟内叫号所需的窗口数（按业务类型着色）；黑线：在班人员；红色：超出在班人员的所需窗口（%3 个半小时）。下方：%4 在所需窗口数下（灰色）与 %5（彩色）的达标比例。</translation>
    </message>
</context>
<context>
    <name>EditableTimeline</name>
    <message>
        <source>Leave</source>
        <translation>请假</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
</context>
<context>
    <name>EmergencyPlansDialog</name>
    <message>
        <source>Emergency plans</source>
        <translation>应急预案</translation>
    </message>
    <message>
        <source>One step per line, in the order to take them</source>
        <translation>每行一个步骤，按执行顺序排列</translation>
    </message>
    <message>
        <source>One per line: name, then the number (110, 120, 119, the security desk…)</source>
        <translation>每行一个：名称，然后是号码（110、120、119、安保值班室……）</translation>
    </message>
    <message>
        <source>Whom to call</source>
        <translation>需呼叫</translation>
    </message>
    <message>
        <source>Tell at once (their console sounds; their chat robot and e-mail, as set in Settings → Alert delivery)</source>
        <translation>立即通知（其控制台响铃；并按“设置 → 告警推送”发送到其群机器人和邮箱）</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>步骤</translation>
    </message>
    <message>
        <source>Crowding — warning level</source>
        <translation>拥挤——警告级别</translation>
    </message>
    <message>
        <source>Crowding — critical level</source>
        <translation>拥挤——严重级别</translation>
    </message>
    <message>
        <source>%1: at least one step is needed.</source>
        <translation>%1：至少需要一个步骤。</translation>
    </message>
    <message>
        <source>%1: tell at least one role at once.</source>
        <translation>%1：至少要立即通知一个角色。</translation>
    </message>
    <message>
        <source>%1: &quot;%2&quot; is not a name followed by a number.</source>
        <translation>%1：“%2”不是“名称 号码”的格式。</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>未保存：%1</translation>
    </message>
</context>
<context>
    <name>FeedPage</name>
    <message>
        <source>Ticket feed</source>
        <translation>叫号数据</translation>
    </message>
    <message>
        <source>How the ticketing system&apos;s tickets reach the console.</source>
        <translation>叫号系统的号票如何传到监控台。</translation>
    </message>
    <message>
        <source>HTTP API: the ticketing system sends each ticket event as it happens</source>
        <translation>HTTP 接口：叫号系统实时发送每个号票事件</translation>
    </message>
    <message>
        <source>CSV import: the day&apos;s ticket log is imported from a file</source>
        <translation>CSV 导入：从文件导入当天的叫号记录</translation>
    </message>
    <message>
        <source>Enter these in the ticketing system&apos;s settings</source>
        <translation>请在叫号系统的设置中填写以下内容</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Address (URL)</source>
        <translation>地址（URL）</translation>
    </message>
    <message>
        <source>Token</source>
        <translation>令牌</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>The address and the token are shown in File → Settings… → API once the set-up is stored.</source>
        <translation>设置保存后，可在“文件 → 设置… → 接口”中查看地址和令牌。</translation>
    </message>
    <message>
        <source>Import each day&apos;s ticket log</source>
        <translation>每天导入叫号记录</translation>
    </message>
    <message>
        <source>Export the day&apos;s ticket log from the ticketing system as CSV and import it on this PC with the command below (the columns and options are in the administrator&apos;s guide). Importing the same file twice changes nothing. The figures then follow the imports, not the live lobby.</source>
        <translation>从叫号系统把当天的叫号记录导出为 CSV，再在本机用下面的命令导入（列和选项见管理员指南）。同一文件导入两次不会有任何变化。此时各项数据随导入更新，而不是实时反映厅堂情况。</translation>
    </message>
    <message>
        <source>The address and token cannot be shown: %1</source>
        <translation>无法显示地址和令牌：%1</translation>
    </message>
    <message>
        <source>The ticket API starts with the branch when you finish; the status bar then says when the first event arrives.</source>
        <translation>叫号数据接口在点击“完成”后随网点一同启动；之后状态栏会显示何时收到第一个事件。</translation>
    </message>
    <message>
        <source>Cannot tell: %1</source>
        <translation>无法获知：%1</translation>
    </message>
    <message>
        <source>Waiting for the first event…</source>
        <translation>正在等待第一个事件…</translation>
    </message>
    <message>
        <source>Last event received at %1</source>
        <translation>最近一次收到事件：%1</translation>
    </message>
</context>
<context>
    <name>HoursPage</name>
    <message>
        <source>Opening hours</source>
        <translation>营业时间</translation>
    </message>
    <message>
        <source>When the branch is open on each day of the week, in its local time.</source>
        <translation>网点一周每天的营业时间（网点当地时间）。</translation>
    </message>
    <message>
        <source>Monday</source>
        <translation>星期一</translation>
    </message>
    <message>
        <source>Tuesday</source>
        <translation>星期二</translation>
    </message>
    <message>
        <source>Wednesday</source>
        <translation>星期三</translation>
    </message>
    <message>
        <source>Thursday</source>
        <translation>星期四</translation>
    </message>
    <message>
        <source>Friday</source>
        <translation>星期五</translation>
    </message>
    <message>
        <source>Saturday</source>
        <translation>星期六</translation>
    </message>
    <message>
        <source>Sunday</source>
        <translation>星期日</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Opens</source>
        <translation>开门</translation>
    </message>
    <message>
        <source>Closes</source>
        <translation>关门</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>营业</translation>
    </message>
    <message>
        <source>Chinese public holidays and the working weekends that make up for them (调休), as the console knows them, apply by themselves: on a public holiday the branch keeps Sunday&apos;s hours, on a working weekend Monday&apos;s hours.</source>
        <translation>监控台已知的中国法定节假日和调休上班的周末会自动生效：法定节假日按周日的营业时间，调休上班的周末按周一的营业时间。</translation>
    </message>
    <message>
        <source>Opens at %1, not before it closes at %2.</source>
        <translation>开门时间 %1 不早于关门时间 %2。</translation>
    </message>
    <message>
        <source>The branch must be open on at least one day of the week.</source>
        <translation>网点一周至少要营业一天。</translation>
    </message>
</context>
<context>
    <name>IncidentController</name>
    <message>
        <source>Incidents of a branch opened from the regional view are handled at the branch&apos;s own console.</source>
        <extracomment>the ids of incidents the alert controller has shown (an incident reported here is not announced here)</extracomment>
        <translation>从区域视图打开的网点，其事件在该网点自己的监控台处理。</translation>
    </message>
    <message>
        <source>Report incident</source>
        <translation>报告事件</translation>
    </message>
    <message>
        <source>Not stored: %1</source>
        <translation>未保存：%1</translation>
    </message>
    <message>
        <source>Drill record</source>
        <translation>演练记录</translation>
    </message>
    <message>
        <source>Incident record</source>
        <translation>事件记录</translation>
    </message>
    <message>
        <source>What</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Reported</source>
        <translation>报告</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Acknowledged</source>
        <translation>确认</translation>
    </message>
    <message>
        <source>Numbers to call</source>
        <translation>呼叫号码</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>结束</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>总结</translation>
    </message>
    <message>
        <source>Response (minutes after the report)</source>
        <translation>响应（报告后的分钟数）</translation>
    </message>
    <message>
        <source>acknowledged %1 · closed %2</source>
        <translation>确认 %1 · 结束 %2</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>步骤</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成时间</translation>
    </message>
    <message>
        <source>By</source>
        <translation>执行人</translation>
    </message>
    <message>
        <source>Minutes</source>
        <translation>分钟</translation>
    </message>
    <message>
        <source>no incident %1</source>
        <translation>没有编号为 %1 的事件</translation>
    </message>
</context>
<context>
    <name>IncidentDialog</name>
    <message>
        <source>Drill: %1</source>
        <translation>演练：%1</translation>
    </message>
    <message>
        <source>Incident: %1</source>
        <translation>事件：%1</translation>
    </message>
    <message>
        <source>Emergency plan</source>
        <translation>应急预案</translation>
    </message>
    <message>
        <source>Call: %1</source>
        <translation>呼叫：%1</translation>
    </message>
    <message>
        <source>No numbers to call in this plan</source>
        <translation>本预案未列出需呼叫的号码</translation>
    </message>
    <message>
        <source>What happened and what was done (needed to close)</source>
        <translation>发生了什么、采取了哪些措施（结案必填）</translation>
    </message>
    <message>
        <source>Close incident</source>
        <translation>结束事件</translation>
    </message>
    <message>
        <source>Export record (PDF)…</source>
        <translation>导出记录（PDF）…</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>总结</translation>
    </message>
    <message>
        <source>Reported %1 by %2</source>
        <translation>%1 由 %2 报告</translation>
    </message>
    <message>
        <source>Closed %1 by %2</source>
        <translation>%1 由 %2 结束</translation>
    </message>
    <message>
        <source>done %1 by %2</source>
        <translation>%1 由 %2 完成</translation>
    </message>
    <message>
        <source>Export record</source>
        <translation>导出记录</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Not written: %1</source>
        <translation>未写入：%1</translation>
    </message>
    <message>
        <source>Write a summary before closing: what happened and what was done.</source>
        <translation>结束前请填写总结：发生了什么、采取了哪些措施。</translation>
    </message>
</context>
<context>
    <name>LobbyPanel</name>
    <message>
        <source>in the lobby now</source>
        <translation>当前大堂在场人数</translation>
    </message>
    <message>
        <source>Simulated</source>
        <translation>模拟</translation>
    </message>
    <message>
        <source>%1 people</source>
        <translation>%1 人</translation>
    </message>
    <message>
        <source>connecting…</source>
        <translation>连接中…</translation>
    </message>
    <message>
        <source>Counted by a worker PC: no picture on this console</source>
        <translation>由工作站电脑计数：本监控台无画面</translation>
    </message>
    <message>
        <source>Counted at the branch&apos;s console: no picture here</source>
        <translation>由网点监控台计数：此处无画面</translation>
    </message>
    <message>
        <source>online</source>
        <translation>在线</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>ended</source>
        <translation>已结束</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>counted by a worker PC</source>
        <translation>由工作站电脑计数</translation>
    </message>
    <message>
        <source>counted at the branch&apos;s console</source>
        <translation>由网点监控台计数</translation>
    </message>
    <message>
        <source>%1 ± %2 people</source>
        <translation>%1 ± %2 人</translation>
    </message>
    <message>
        <source>%1 fps</source>
        <translation>%1 帧/秒</translation>
    </message>
    <message>
        <source>%1 dropped</source>
        <translation>丢弃 %1 帧</translation>
    </message>
    <message>
        <source>Analysis error</source>
        <translation>分析出错</translation>
    </message>
    <message>
        <source>Calibration may be stale: the picture has changed since it was calibrated</source>
        <translation>校准可能已失效：画面与校准时相比已有变化</translation>
    </message>
    <message>
        <source>a camera is not calibrated: the count may be low in crowds</source>
        <translation>有摄像头未校准：人多时人数可能偏少</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>%1 people (uncalibrated)</source>
        <translation>%1 人（未校准）</translation>
    </message>
    <message>
        <source>Low accuracy — no detector model installed</source>
        <translation>精度低 — 未安装检测模型</translation>
    </message>
    <message>
        <source>Visitors today: %1</source>
        <translation>今日到访：%1 人</translation>
    </message>
    <message>
        <source>Waiting area: %1 people, longest %2 min, average %3 min</source>
        <translation>等候区：%1 人，最长 %2 分钟，平均 %3 分钟</translation>
    </message>
    <message>
        <source>Waiting area: nobody waiting</source>
        <translation>等候区：无人等候</translation>
    </message>
    <message>
        <source>Crowded: past the warning level</source>
        <translation>拥挤：已超过警告线</translation>
    </message>
    <message>
        <source>Over capacity: past the critical level</source>
        <translation>超出容量：已超过严重线</translation>
    </message>
    <message>
        <source>Lobby camera</source>
        <translation>大堂摄像头</translation>
    </message>
    <message>
        <source>capacity %1 (%2%)</source>
        <translation>容量 %1（%2%）</translation>
    </message>
</context>
<context>
    <name>LockOverlay</name>
    <message>
        <source>Console locked</source>
        <translation>监控台已锁定</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <source>Log in as yourself to unlock; another user name switches user.</source>
        <translation>用本人账号登录即可解锁；输入其他用户名则切换用户。</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>Branch %1: log in with your console user.</source>
        <translation>网点 %1：请用您的监控台账号登录。</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>登录</translation>
    </message>
</context>
<context>
    <name>LoginForm</name>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Enter your user name.</source>
        <translation>请输入用户名。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Lobby</source>
        <translation>大堂</translation>
    </message>
    <message>
        <source>Counters</source>
        <translation>窗口</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>排队</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>人员</translation>
    </message>
    <message>
        <source>Alerts</source>
        <extracomment>Input that keeps the console from locking itself. Panels only roles with VIEW_QUEUE see (a security officer sees a note saying so instead). open the console on a branch (code) as an operator: after the set-up wizard or a change of the branch&apos;s set-up</extracomment>
        <translation>告警</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>报表</translation>
    </message>
    <message>
        <source>Secrets: a problem</source>
        <translation>密钥：有问题</translation>
    </message>
    <message>
        <source>Secrets: encrypted file</source>
        <translation>密钥：加密文件</translation>
    </message>
    <message>
        <source>Set up your branch…</source>
        <translation>设置本网点…</translation>
    </message>
    <message>
        <source>Branch Lobby Console</source>
        <translation>网点厅堂监控台</translation>
    </message>
    <message>
        <source>Incidents</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>⚠ Report incident (F9)</source>
        <translation>⚠ 报告事件（F9）</translation>
    </message>
    <message>
        <source>A medical emergency, a suspicious person, a dispute, a robbery, a fire, a system outage, a device fault: raise it and follow its emergency plan</source>
        <translation>突发疾病、可疑人员、纠纷、抢劫、火警、系统故障、设备故障：立即报告并按应急预案处置</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>Set &amp;up your branch…</source>
        <translation>设置本网点(&amp;U)…</translation>
    </message>
    <message>
        <source>Set up your own branch: hours, counters, staff, the ticket feed and the administrator; the console then opens on it</source>
        <translation>设置您自己的网点：营业时间、窗口、员工、叫号数据和管理员；完成后监控台即打开该网点</translation>
    </message>
    <message>
        <source>&amp;Branch settings…</source>
        <translation>网点设置(&amp;B)…</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Emergency plans…</source>
        <translation>应急预案(&amp;E)…</translation>
    </message>
    <message>
        <source>What to do for each kind of incident and for a crowded lobby, and whom to call</source>
        <translation>各类事件及大堂拥挤时的处置步骤和需呼叫的号码</translation>
    </message>
    <message>
        <source>&amp;Cameras…</source>
        <translation>摄像头(&amp;C)…</translation>
    </message>
    <message>
        <source>&amp;Audit trail…</source>
        <translation>审计记录(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;Users…</source>
        <translation>用户(&amp;U)…</translation>
    </message>
    <message>
        <source>S&amp;witch user…</source>
        <translation>切换用户(&amp;W)…</translation>
    </message>
    <message>
        <source>&amp;Lock</source>
        <translation>锁定(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Reset layout</source>
        <translation>恢复默认布局(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Demo</source>
        <translation>演示(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Pause simulation</source>
        <translation>暂停模拟(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Speed</source>
        <translation>速度(&amp;S)</translation>
    </message>
    <message>
        <source>%1× real time</source>
        <translation>%1 倍速</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;User guide</source>
        <translation>用户指南(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;About</source>
        <translation>关于(&amp;A)</translation>
    </message>
    <message>
        <source>Counter requests are not available for this branch.</source>
        <translation>此网点无法发出窗口指令。</translation>
    </message>
    <message>
        <source>Demo branch — no login</source>
        <translation>演示网点 — 无需登录</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>Switch user</source>
        <translation>切换用户</translation>
    </message>
    <message>
        <source>%1 (%2), locked at %3</source>
        <translation>%1（%2），%3 锁定</translation>
    </message>
    <message>
        <source>About</source>
        <translation>关于</translation>
    </message>
    <message>
        <source>Branch Lobby Console %1

Lobby occupancy, counters, queue, staff and alerts for a bank branch.</source>
        <translation>网点厅堂监控台 %1

银行网点的大堂在场人数、窗口、排队、人员与告警。</translation>
    </message>
    <message>
        <source>Simulated</source>
        <translation>模拟</translation>
    </message>
    <message>
        <source>From the regional view</source>
        <translation>来自区域总览</translation>
    </message>
    <message>
        <source>Read-only</source>
        <translation>只读</translation>
    </message>
    <message>
        <source>Live, from the regional view</source>
        <translation>实时，来自区域总览</translation>
    </message>
    <message>
        <source>Live, read-only</source>
        <translation>实时，只读</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>实时</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>Database: %1</source>
        <translation>数据库：%1</translation>
    </message>
    <message>
        <source>%1 writes failed</source>
        <translation>%1 次写入失败</translation>
    </message>
    <message>
        <source>Cameras: %1 of %2 online</source>
        <translation>摄像头：%2 个中 %1 个在线</translation>
    </message>
    <message>
        <source>simulator</source>
        <translation>模拟器</translation>
    </message>
    <message>
        <source>ticket system</source>
        <translation>叫号系统</translation>
    </message>
    <message>
        <source>ticket system through the service</source>
        <translation>叫号系统（经后台服务）</translation>
    </message>
    <message>
        <source>The branch&apos;s service (%1) runs the ticket feed, the alerts with their deliveries and the closing report; this window shows them.</source>
        <translation>本网点的后台服务（%1）负责接收叫号数据、告警及其推送和营业结束报表；本窗口只显示其结果。</translation>
    </message>
    <message>
        <source>Queue feed: %1, %2 events</source>
        <translation>叫号数据：%1，%2 条事件</translation>
    </message>
    <message>
        <source>Queue feed: %1, waiting for the first event</source>
        <translation>叫号数据：%1，等待第一个事件</translation>
    </message>
    <message>
        <source>Queue feed: %1, last event received at %2</source>
        <translation>叫号数据：%1，最近一次收到事件：%2</translation>
    </message>
    <message>
        <source>Alerts of a branch opened from the regional view are acknowledged at the branch&apos;s own console.</source>
        <translation>从区域总览打开的网点，其告警需在该网点自己的监控台确认。</translation>
    </message>
</context>
<context>
    <name>ModelsDialog</name>
    <message>
        <source>Detector models</source>
        <translation>检测模型</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>Input</source>
        <translation>输入尺寸</translation>
    </message>
    <message>
        <source>Installed</source>
        <translation>安装时间</translation>
    </message>
    <message>
        <source>SHA-256</source>
        <translation>SHA-256</translation>
    </message>
    <message>
        <source>Install from file…</source>
        <translation>从文件安装…</translation>
    </message>
    <message>
        <source>Cameras use the best installed model unless their settings name one.</source>
        <translation>摄像机默认使用已安装的最佳模型，除非其设置指定了某个模型。</translation>
    </message>
    <message>
        <source>No detector model is installed: cameras count people with OpenCV&apos;s HOG detector, which misses many people. Install an ONNX person detector (YOLOX, YOLOv8 or NanoDet) from a file.</source>
        <translation>尚未安装检测模型：摄像机使用 OpenCV 的 HOG 检测器计数，会漏检很多人。请从文件安装 ONNX 人体检测模型（YOLOX、YOLOv8 或 NanoDet）。</translation>
    </message>
    <message>
        <source>Install a detector model</source>
        <translation>安装检测模型</translation>
    </message>
    <message>
        <source>ONNX models (*.onnx)</source>
        <translation>ONNX 模型 (*.onnx)</translation>
    </message>
    <message>
        <source>Checking and installing %1…</source>
        <translation>正在检查并安装 %1…</translation>
    </message>
    <message>
        <source>Not installed: %1</source>
        <translation>未安装：%1</translation>
    </message>
    <message>
        <source>%1 installed; cameras use it from their next start.</source>
        <translation>已安装 %1；摄像机下次启动时使用。</translation>
    </message>
</context>
<context>
    <name>NamesPage</name>
    <message>
        <source>Business names</source>
        <translation>业务名称</translation>
    </message>
    <message>
        <source>The names the ticketing system gives its kinds of business, and the console&apos;s service type each one counts as.</source>
        <translation>叫号系统中各类业务的名称，以及每个名称在监控台中归入的业务类型。</translation>
    </message>
    <message>
        <source>Name in the ticketing system</source>
        <translation>叫号系统中的名称</translation>
    </message>
    <message>
        <source>Service type</source>
        <translation>业务类型</translation>
    </message>
    <message>
        <source>Add name</source>
        <translation>添加名称</translation>
    </message>
    <message>
        <source>Remove name</source>
        <translation>删除名称</translation>
    </message>
    <message>
        <source>Write each name exactly as the ticketing system sends it (double-click to change it). The ticket feed and the CSV import understand these names; a ticket whose name is not listed is refused with the name shown.</source>
        <translation>每个名称须与叫号系统发送的完全一致（双击即可修改）。叫号数据接口和 CSV 导入都识别这些名称；名称不在表中的号票会被拒收，并显示该名称。</translation>
    </message>
    <message>
        <source>Row %1: enter the name, or remove the row.</source>
        <translation>第 %1 行：请输入名称，或删除此行。</translation>
    </message>
    <message>
        <source>Row %1: the name %2 is already on row %3.</source>
        <translation>第 %1 行：名称 %2 已在第 %3 行。</translation>
    </message>
</context>
<context>
    <name>NewTokenDialog</name>
    <message>
        <source>New API token</source>
        <translation>新的接口令牌</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Enter this token into the ticketing system now: it is shown only this once. The old token is refused from now on.</source>
        <translation>请立即把此令牌配置到叫号系统：它只显示这一次。旧令牌从现在起失效。</translation>
    </message>
</context>
<context>
    <name>OccupancyChart</name>
    <message>
        <source>Lobby</source>
        <translation>大堂</translation>
    </message>
    <message>
        <source>Waiting area</source>
        <translation>等候区</translation>
    </message>
    <message>
        <source>Capacity</source>
        <translation>容量</translation>
    </message>
    <message>
        <source>People</source>
        <translation>人数</translation>
    </message>
</context>
<context>
    <name>PeriodWindow</name>
    <message>
        <source>Service figures by period</source>
        <translation>按期间的服务指标</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>日</translation>
    </message>
    <message>
        <source>Week</source>
        <translation>周</translation>
    </message>
    <message>
        <source>Month</source>
        <translation>月</translation>
    </message>
    <message>
        <source>Quarter</source>
        <translation>季度</translation>
    </message>
    <message>
        <source>Range</source>
        <translation>自选区间</translation>
    </message>
    <message>
        <source>to</source>
        <translation>至</translation>
    </message>
    <message>
        <source>The period before</source>
        <translation>上一期间</translation>
    </message>
    <message>
        <source>The period after</source>
        <translation>下一期间</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>Period:</source>
        <translation>期间：</translation>
    </message>
    <message>
        <source>Figure</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>变化</translation>
    </message>
    <message>
        <source>Tickets issued a day (average)</source>
        <translation>日均取号数</translation>
    </message>
    <message>
        <source>Average wait (min)</source>
        <translation>平均等候（分钟）</translation>
    </message>
    <message>
        <source>90% waited under (min)</source>
        <translation>90% 客户等候不超过（分钟）</translation>
    </message>
    <message>
        <source>Service level (%)</source>
        <translation>服务达标率（%）</translation>
    </message>
    <message>
        <source>Abandonment (%)</source>
        <translation>弃号率（%）</translation>
    </message>
    <message>
        <source>Peak lobby occupancy (people)</source>
        <translation>大堂最高在场人数（人）</translation>
    </message>
    <message>
        <source>Visitors counted at the entrance, a day</source>
        <translation>入口计数到访人数（日均）</translation>
    </message>
    <message>
        <source>Tickets issued by service type</source>
        <translation>各业务类型取号数</translation>
    </message>
    <message>
        <source>Show:</source>
        <translation>显示：</translation>
    </message>
    <message>
        <source>Tickets issued per day</source>
        <translation>日均取号数</translation>
    </message>
    <message>
        <source>Rated</source>
        <translation>评价数</translation>
    </message>
    <message>
        <source>Average (of 5)</source>
        <translation>平均分（5 分制）</translation>
    </message>
    <message>
        <source>Scored 1 or 2</source>
        <translation>1–2 分</translation>
    </message>
    <message>
        <source>Counter</source>
        <translation>窗口</translation>
    </message>
    <message>
        <source>Service type</source>
        <translation>业务类型</translation>
    </message>
    <message>
        <source>Figures</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>Trends</source>
        <translation>趋势</translation>
    </message>
    <message>
        <source>Weekday × half-hour</source>
        <translation>星期 × 半小时</translation>
    </message>
    <message>
        <source>Ratings</source>
        <translation>客户评价</translation>
    </message>
    <message>
        <source>Counters and people</source>
        <translation>窗口与人员</translation>
    </message>
    <message>
        <source>Service-quality review</source>
        <translation>服务质量回顾</translation>
    </message>
    <message>
        <source>The period ends (%1) before it starts (%2): pick a later end.</source>
        <translation>期间结束日（%1）早于开始日（%2）：请选择更晚的结束日。</translation>
    </message>
    <message>
        <source>The period is %1 days; at most 400 can be shown at once.</source>
        <translation>所选期间为 %1 天；一次最多显示 400 天。</translation>
    </message>
    <message>
        <source>Computing %1 to %2…</source>
        <translation>正在计算 %1 至 %2…</translation>
    </message>
    <message>
        <source>The figures could not be computed: %1</source>
        <translation>无法计算指标：%1</translation>
    </message>
    <message>
        <source>%1 to %2: %3 days, %4 with tickets; target: called within %5 min.</source>
        <translation>%1 至 %2：共 %3 天，其中 %4 天有取号；目标：%5 分钟内叫号。</translation>
    </message>
    <message>
        <source>%1 of these days were purged after the retention period before they were summarised: the figures cover the other days.</source>
        <translation>其中 %1 天的原始数据在汇总前已按保留期限清除：指标仅含其余日期。</translation>
    </message>
    <message>
        <source>Tickets issued</source>
        <translation>取号数</translation>
    </message>
    <message>
        <source>Served</source>
        <translation>已办结</translation>
    </message>
    <message>
        <source>Gave up waiting</source>
        <translation>放弃等候</translation>
    </message>
    <message>
        <source>Abandonment (share of tickets issued)</source>
        <translation>弃号率（占取号数）</translation>
    </message>
    <message>
        <source>No-show</source>
        <translation>过号未到</translation>
    </message>
    <message>
        <source>Longest wait (min)</source>
        <translation>最长等候（分钟）</translation>
    </message>
    <message>
        <source>Service level (called within target)</source>
        <translation>服务达标率（目标时间内叫号）</translation>
    </message>
    <message>
        <source>Average transaction (min)</source>
        <translation>平均办理时长（分钟）</translation>
    </message>
    <message>
        <source>Customer rating (of 5)</source>
        <translation>客户评价（5 分制）</translation>
    </message>
    <message>
        <source>Ratings given</source>
        <translation>评价条数</translation>
    </message>
    <message>
        <source>This period</source>
        <translation>本期</translation>
    </message>
    <message>
        <source>Period before</source>
        <translation>上期</translation>
    </message>
    <message>
        <source>A year earlier</source>
        <translation>去年同期</translation>
    </message>
    <message>
        <source>%1 points</source>
        <translation>%1 个百分点</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <source>Tickets</source>
        <translation>取号数</translation>
    </message>
    <message>
        <source>No tickets in this period.</source>
        <translation>该期间没有取号。</translation>
    </message>
    <message>
        <source>Tickets issued in each half-hour, per day on average over the weekday&apos;s days with tickets.</source>
        <translation>每半小时的取号数：按该星期几有取号的日子取日均值。</translation>
    </message>
    <message>
        <source>Average wait of the customers called in each half-hour, over every such day of the period.</source>
        <translation>每半小时内被叫号客户的平均等候时间（覆盖期间内所有相应日子）。</translation>
    </message>
    <message>
        <source>Monday</source>
        <translation>星期一</translation>
    </message>
    <message>
        <source>Tuesday</source>
        <translation>星期二</translation>
    </message>
    <message>
        <source>Wednesday</source>
        <translation>星期三</translation>
    </message>
    <message>
        <source>Thursday</source>
        <translation>星期四</translation>
    </message>
    <message>
        <source>Friday</source>
        <translation>星期五</translation>
    </message>
    <message>
        <source>Saturday</source>
        <translation>星期六</translation>
    </message>
    <message>
        <source>Sunday</source>
        <translation>星期日</translation>
    </message>
    <message>
        <source>In order of counter and employee number, not of any figure. Each average transaction time stands beside the branch&apos;s average for the same mix of business; idle share is idle time of the time staffed (open, serving, idle or paused) as the ticketing system reported the counter&apos;s states.</source>
        <translation>按窗口号和员工编号排列，不按任何指标排名。每项平均办理时长都与本网点相同业务构成的平均值并列；空闲占比 = 空闲时间 ÷ 在岗时间（开启、办理中、空闲或暂停），依据叫号系统上报的窗口状态。</translation>
    </message>
    <message>
        <source>Business mix</source>
        <translation>业务构成</translation>
    </message>
    <message>
        <source>Avg transaction (min)</source>
        <translation>平均办理时长（分钟）</translation>
    </message>
    <message>
        <source>Branch, same mix (min)</source>
        <translation>网点同业务构成（分钟）</translation>
    </message>
    <message>
        <source>Staffed (h)</source>
        <translation>在岗（小时）</translation>
    </message>
    <message>
        <source>Idle share</source>
        <translation>空闲占比</translation>
    </message>
    <message>
        <source>Pauses</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Rating (of 5)</source>
        <translation>评价（5 分制）</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>员工</translation>
    </message>
    <message>
        <source>Shifts</source>
        <translation>班次</translation>
    </message>
    <message>
        <source>Late</source>
        <translation>迟到</translation>
    </message>
    <message>
        <source>Absent</source>
        <translation>缺勤</translation>
    </message>
    <message>
        <source>Counters</source>
        <translation>窗口</translation>
    </message>
    <message>
        <source>People</source>
        <translation>人员</translation>
    </message>
    <message>
        <source>%1 (%2 min)</source>
        <translation>%1 次（%2 分钟）</translation>
    </message>
    <message>
        <source>%1 (%2 rated)</source>
        <translation>%1（%2 条评价）</translation>
    </message>
    <message>
        <source>The ticketing system reported no counter states in this period: time staffed, idle share and pauses cannot be measured.</source>
        <translation>该期间叫号系统未上报窗口状态：无法计算在岗时间、空闲占比和暂停。</translation>
    </message>
    <message>
        <source>A document for head office, as Excel (.xlsx) or PDF: the period&apos;s figures beside the period before and a year earlier, the trend, the customers&apos; ratings, alerts by rule, incidents and drills, and the comments below. Each person&apos;s figures are not part of it.</source>
        <translation>报送上级行的文档（Excel .xlsx 或 PDF）：本期指标及与上期、去年同期的对比、趋势、客户评价、按规则统计的告警、突发事件与演练，以及下方的意见。不含个人指标。</translation>
    </message>
    <message>
        <source>Branch manager&apos;s comments:</source>
        <translation>网点负责人意见：</translation>
    </message>
    <message>
        <source>What went well, what will change next quarter, what the branch needs from head office…</source>
        <translation>做得好的方面、下季度的改进、需要上级行支持的事项…</translation>
    </message>
    <message>
        <source>Export the review…</source>
        <translation>导出回顾报告…</translation>
    </message>
    <message>
        <source>Export the review</source>
        <translation>导出回顾报告</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx);;PDF document (*.pdf)</source>
        <translation>Excel 工作簿 (*.xlsx);;PDF 文档 (*.pdf)</translation>
    </message>
    <message>
        <source>%1: choose a .xlsx or .pdf file name</source>
        <translation>%1：请选择 .xlsx 或 .pdf 文件名</translation>
    </message>
    <message>
        <source>The review was not written: %1</source>
        <translation>回顾报告未写入：%1</translation>
    </message>
    <message>
        <source>Written to %1</source>
        <translation>已写入 %1</translation>
    </message>
    <message>
        <source>Branch</source>
        <translation>网点</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>期间</translation>
    </message>
    <message>
        <source>Days with tickets</source>
        <translation>有取号的天数</translation>
    </message>
    <message>
        <source>Service standard</source>
        <translation>服务标准</translation>
    </message>
    <message>
        <source>called within %1 min</source>
        <translation>%1 分钟内叫号</translation>
    </message>
    <message>
        <source>Prepared on</source>
        <translation>编制日期</translation>
    </message>
    <message>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Drills</source>
        <translation>演练</translation>
    </message>
    <message>
        <source>Incidents</source>
        <translation>突发事件</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>回顾</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>项目</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>Service figures</source>
        <translation>服务指标</translation>
    </message>
    <message>
        <source>Trend by %1</source>
        <translation>按%1的趋势</translation>
    </message>
    <message>
        <source>Customer ratings</source>
        <translation>客户评价</translation>
    </message>
    <message>
        <source>Counter or service type</source>
        <translation>窗口或业务类型</translation>
    </message>
    <message>
        <source>Alerts by rule</source>
        <translation>按规则统计的告警</translation>
    </message>
    <message>
        <source>Rule</source>
        <translation>规则</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>Raised</source>
        <translation>触发</translation>
    </message>
    <message>
        <source>Acknowledged</source>
        <translation>已确认</translation>
    </message>
    <message>
        <source>Median minutes to acknowledge</source>
        <translation>确认用时中位数（分钟）</translation>
    </message>
    <message>
        <source>Escalated</source>
        <translation>已升级</translation>
    </message>
    <message>
        <source>Incidents and drills</source>
        <translation>突发事件与演练</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Reported</source>
        <translation>上报</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <source>Median minutes to first response</source>
        <translation>首次响应用时中位数（分钟）</translation>
    </message>
    <message>
        <source>Median minutes to close</source>
        <translation>关闭用时中位数（分钟）</translation>
    </message>
    <message>
        <source>Comments</source>
        <translation>意见</translation>
    </message>
    <message>
        <source>Branch manager&apos;s comments</source>
        <translation>网点负责人意见</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
</context>
<context>
    <name>PersonDialog</name>
    <message>
        <source>Staff member</source>
        <translation>员工</translation>
    </message>
    <message>
        <source>Employee no.</source>
        <translation>工号</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>岗位</translation>
    </message>
    <message>
        <source>Can handle</source>
        <translation>可办理</translation>
    </message>
    <message>
        <source>Employee no. %1 is already in the directory.</source>
        <translation>工号 %1 已在员工名册中。</translation>
    </message>
    <message>
        <source>Employee no. %1 must be 1–32 letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos;.</source>
        <translation>工号 %1 须为 1–32 个字母、数字、“.”、“_”或“-”。</translation>
    </message>
    <message>
        <source>The name is empty.</source>
        <translation>姓名为空。</translation>
    </message>
    <message>
        <source>Tick at least one service type the person can handle.</source>
        <translation>请至少勾选一项该员工可办理的业务。</translation>
    </message>
</context>
<context>
    <name>PrivacyGroup</name>
    <message>
        <source>Privacy</source>
        <translation>隐私</translation>
    </message>
    <message>
        <source>Save a snapshot with crowding and camera alerts (faces blurred)</source>
        <translation>拥挤和摄像机告警时保存快照（人脸模糊处理）</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Keep forever</source>
        <translation>永久保留</translation>
    </message>
    <message>
        <source> days</source>
        <translation> 天</translation>
    </message>
    <message>
        <source>Older tickets, occupancy samples and snapshots are deleted; daily and half-hourly statistics are kept. 0: keep everything.</source>
        <translation>更早的票号、人数采样和快照将被删除；按天和每半小时的统计数据会保留。0：全部保留。</translation>
    </message>
    <message>
        <source>Snapshot folder</source>
        <translation>快照文件夹</translation>
    </message>
    <message>
        <source>Keep raw data for</source>
        <translation>原始数据保留</translation>
    </message>
    <message>
        <source>Takes effect at the next start.</source>
        <translation>下次启动时生效。</translation>
    </message>
</context>
<context>
    <name>QueuePanel</name>
    <message>
        <source>Waiting</source>
        <extracomment>Background of an appointment row by status: late and missing stand out. a priority customer waiting longer than this many minutes is marked (the default priority-wait rule&apos;s line)</extracomment>
        <translation>等候</translation>
    </message>
    <message>
        <source>Longest wait</source>
        <translation>最长等候</translation>
    </message>
    <message>
        <source>Called within %1 min today</source>
        <translation>今日 %1 分钟内叫号比例</translation>
    </message>
    <message>
        <source>Service type</source>
        <translation>业务类型</translation>
    </message>
    <message>
        <source>Estimated wait</source>
        <translation>预计等候</translation>
    </message>
    <message>
        <source>Counters working</source>
        <translation>工作窗口数</translation>
    </message>
    <message>
        <source>Slot</source>
        <translation>预约时段</translation>
    </message>
    <message>
        <source>Appointment</source>
        <translation>预约号</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Ticket</source>
        <translation>号票</translation>
    </message>
    <message>
        <source>Service types</source>
        <translation>业务类型</translation>
    </message>
    <message>
        <source>Appointments</source>
        <translation>预约</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>优先客户</translation>
    </message>
    <message>
        <source>Appointments (%1 due or late)</source>
        <translation>预约（%1 个即将到时或迟到）</translation>
    </message>
    <message>
        <source>Appointments today: %1 booked · %2 checked in (%3 early, %4 on time, %5 late) · %6 due now · %7 late · %8 missing</source>
        <translation>今日预约：%1 个有效 · 已签到 %2（提前 %3、准时 %4、迟到 %5）· 即将到时 %6 · 已迟到未到 %7 · 爽约 %8</translation>
    </message>
    <message>
        <source>waiting %1</source>
        <translation>已等 %1</translation>
    </message>
    <message>
        <source>Priority (%1 waiting)</source>
        <translation>优先客户（%1 人等候）</translation>
    </message>
    <message>
        <source>VIP customer</source>
        <translation>贵宾客户</translation>
    </message>
    <message>
        <source>Priority customer (elderly, disabled, …)</source>
        <translation>优先客户（老年人、残障人士等）</translation>
    </message>
    <message>
        <source>Last 60 min: %1 called within the target, average wait %2 · today: average wait %3</source>
        <translation>近 60 分钟：%1 在目标时间内叫号，平均等候 %2 · 今日平均等候 %3</translation>
    </message>
    <message>
        <source>Waiting area (camera): %1 people · tickets waiting: %2</source>
        <translation>等候区（摄像头）：%1 人 · 等候票号：%2 张</translation>
    </message>
    <message>
        <source>%1 without a ticket (or accompanying)</source>
        <translation>%1 人未取号（或为陪同人员）</translation>
    </message>
    <message>
        <source>%1 ticket holders not in the waiting area</source>
        <translation>%1 位持号客户不在等候区</translation>
    </message>
    <message>
        <source>they match</source>
        <translation>人数与票号一致</translation>
    </message>
    <message>
        <source>no counter</source>
        <translation>无窗口</translation>
    </message>
</context>
<context>
    <name>RegionTable</name>
    <message>
        <source>Branch</source>
        <translation>网点</translation>
    </message>
    <message>
        <source>Lobby now</source>
        <translation>当前厅堂人数</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>排队</translation>
    </message>
    <message>
        <source>Longest wait</source>
        <translation>最长等候</translation>
    </message>
    <message>
        <source>Service level today</source>
        <translation>今日服务水平</translation>
    </message>
    <message>
        <source>Open alerts</source>
        <translation>未结告警</translation>
    </message>
    <message>
        <source>Newest camera figures</source>
        <translation>最新摄像头数据</translation>
    </message>
    <message>
        <source>Every branch of the shared database, live. Double-click a branch (or select it and press Enter) to open its panels.</source>
        <translation>共享数据库中的所有网点，实时更新。双击网点（或选中后按回车）打开其面板。</translation>
    </message>
    <message>
        <source>no camera figures</source>
        <translation>无摄像头数据</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <source>%1 s ago</source>
        <translation>%1 秒前</translation>
    </message>
    <message>
        <source>%1 min ago</source>
        <translation>%1 分钟前</translation>
    </message>
</context>
<context>
    <name>RegionWindow</name>
    <message>
        <source>Branch Lobby Console — Region</source>
        <translation>网点厅堂监控台 — 区域总览</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>demo</source>
        <translation>演示</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Open branch</source>
        <translation>打开网点(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>Reading the branches…</source>
        <translation>正在读取各网点…</translation>
    </message>
    <message>
        <source>%1 branches · %2 people in lobbies · %3 waiting · %4 open alerts · updated %5 · %6</source>
        <translation>%1 个网点 · 厅堂共 %2 人 · 排队 %3 人 · 未结告警 %4 条 · 更新于 %5 · %6</translation>
    </message>
    <message>
        <source>%1 branches · %2 people in lobbies · %4 open alerts · updated %5 · %6</source>
        <translation>%1 个网点 · 厅堂共 %2 人 · 未结告警 %4 条 · 更新于 %5 · %6</translation>
    </message>
    <message>
        <source>Database: %1</source>
        <translation>数据库：%1</translation>
    </message>
    <message>
        <source>The database cannot be read (%1); the figures shown may be old. Trying again…</source>
        <translation>无法读取数据库（%1）；显示的数据可能已过时。正在重试…</translation>
    </message>
    <message>
        <source>Choose a branch in the list first.</source>
        <translation>请先在列表中选择一个网点。</translation>
    </message>
    <message>
        <source>Branch %1 cannot be opened: %2</source>
        <translation>无法打开网点 %1：%2</translation>
    </message>
</context>
<context>
    <name>ReportIncidentDialog</name>
    <message>
        <source>Report incident</source>
        <translation>报告事件</translation>
    </message>
    <message>
        <source>Where, who, what you see (optional)</source>
        <translation>地点、人员、看到的情况（可选）</translation>
    </message>
    <message>
        <source>This is a drill (演练): it runs the same way and never counts as real</source>
        <translation>这是演练：流程与真实事件相同，但不计入真实数据</translation>
    </message>
    <message>
        <source>Report</source>
        <translation>报告</translation>
    </message>
    <message>
        <source>What is happening?</source>
        <translation>发生了什么？</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
</context>
<context>
    <name>ReportPanel</name>
    <message>
        <source>Arrived</source>
        <translation>取号</translation>
    </message>
    <message>
        <source>Served</source>
        <translation>已办理</translation>
    </message>
    <message>
        <source>No-show</source>
        <translation>过号未到</translation>
    </message>
    <message>
        <source>Abandoned</source>
        <translation>弃号</translation>
    </message>
    <message>
        <source>Avg wait (min)</source>
        <translation>平均等候（分钟）</translation>
    </message>
    <message>
        <source>90% waited under (min)</source>
        <translation>90% 等候低于（分钟）</translation>
    </message>
    <message>
        <source>Max wait (min)</source>
        <translation>最长等候（分钟）</translation>
    </message>
    <message>
        <source>Service level</source>
        <translation>服务水平</translation>
    </message>
    <message>
        <source>Avg transaction (min)</source>
        <translation>平均办理时长（分钟）</translation>
    </message>
    <message>
        <source>Max transaction (min)</source>
        <translation>最长办理时长（分钟）</translation>
    </message>
    <message>
        <source>Service type</source>
        <translation>业务类型</translation>
    </message>
    <message>
        <source>Counter</source>
        <translation>窗口</translation>
    </message>
    <message>
        <source>Busy (min)</source>
        <translation>忙碌（分钟）</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Write this report to a CSV or Excel file</source>
        <translation>将本报表导出为 CSV 或 Excel 文件</translation>
    </message>
    <message>
        <source>Periods…</source>
        <translation>按期间…</translation>
    </message>
    <message>
        <source>Weeks, months, quarters or any range beside the period before and a year earlier, with trends and a weekday × half-hour map</source>
        <translation>按周、月、季度或任意区间查看指标，与上期及去年同期对比，含趋势图和星期 × 半小时热力图</translation>
    </message>
    <message>
        <source>Export report</source>
        <translation>导出报表</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx);;CSV file (*.csv)</source>
        <translation>Excel 工作簿 (*.xlsx);;CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>The report was not written: %1</source>
        <translation>报表未能写入：%1</translation>
    </message>
    <message>
        <source>Priority tickets: %1, average wait %2 min (longest %3), %4 within target · ordinary: average wait %5 min</source>
        <translation>优先号：%1 张，平均等候 %2 分钟（最长 %3），%4 在目标内叫号 · 普通号：平均等候 %5 分钟</translation>
    </message>
    <message>
        <source>Appointments: %1 booked, %2 checked in (%3 on time), %4 missing · wait after check-in %5 min on average · %6 called within 5 min of their slot</source>
        <translation>预约：有效 %1 个，已签到 %2 个（准时 %3 个），爽约 %4 个 · 签到后平均等候 %5 分钟 · %6 在预约时段 5 分钟内叫号</translation>
    </message>
    <message>
        <source>Customer ratings: %1 rated, average %2 of 5, %3 scored 1 or 2 · by counter: %4</source>
        <translation>客户评价：%1 条，平均 %2 分（5 分制），%3 条 1–2 分 · 各窗口：%4</translation>
    </message>
    <message>
        <source>Today so far (%1), target: called within %2 min</source>
        <translation>今日截至目前（%1），目标：%2 分钟内叫号</translation>
    </message>
</context>
<context>
    <name>RosterEditor</name>
    <message>
        <source>Previous week</source>
        <translation>上一周</translation>
    </message>
    <message>
        <source>Next week</source>
        <translation>下一周</translation>
    </message>
    <message>
        <source>Demo branch: the simulator plays its own roster on the day it shows (that day is stored again when the demo starts); rosters saved here are used by coverage, attendance and exports.</source>
        <translation>演示网点：模拟器在所演示的当天使用其内置排班（演示启动时会重新保存当天排班）；此处保存的排班用于覆盖分析、考勤和导出。</translation>
    </message>
    <message>
        <source>Add…</source>
        <translation>添加…</translation>
    </message>
    <message>
        <source>Staff directory…</source>
        <translation>员工名册…</translation>
    </message>
    <message>
        <source>Copy week forward</source>
        <translation>复制到下一周</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Revert</source>
        <translation>撤销修改</translation>
    </message>
    <message>
        <source>Save week</source>
        <translation>保存本周</translation>
    </message>
    <message>
        <source>%1 is not in the staff directory.</source>
        <translation>%1 不在员工名册中。</translation>
    </message>
    <message>
        <source>%1: the break %2–%3 is not inside its shift.</source>
        <translation>%1：休息 %2–%3 不在班次之内。</translation>
    </message>
    <message>
        <source>%1: two records overlap from %2 to %3.</source>
        <translation>%1：%2 至 %3 两条排班重叠。</translation>
    </message>
    <message>
        <source>%1: the duty %2 to %3 is %4 h, longer than the %5 h allowed.</source>
        <translation>%1：%2 至 %3 的班长 %4 小时，超过允许的 %5 小时。</translation>
    </message>
    <message>
        <source>%1: only %4 h of rest between %2 and %3 (at least %5 h).</source>
        <translation>%1：%2 与 %3 之间仅休息 %4 小时（至少 %5 小时）。</translation>
    </message>
    <message>
        <source>Nobody on shift can handle %6 from %2 to %3.</source>
        <translation>%2 至 %3 无在班人员可办理%6。</translation>
    </message>
    <message>
        <source>Mon</source>
        <translation>周一</translation>
    </message>
    <message>
        <source>Tue</source>
        <translation>周二</translation>
    </message>
    <message>
        <source>Wed</source>
        <translation>周三</translation>
    </message>
    <message>
        <source>Thu</source>
        <translation>周四</translation>
    </message>
    <message>
        <source>Fri</source>
        <translation>周五</translation>
    </message>
    <message>
        <source>Sat</source>
        <translation>周六</translation>
    </message>
    <message>
        <source>Sun</source>
        <translation>周日</translation>
    </message>
    <message>
        <source>Unsaved changes.</source>
        <translation>有未保存的修改。</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <source>%1 errors, %2 warnings in this week.</source>
        <translation>本周 %1 个错误，%2 个警告。</translation>
    </message>
    <message>
        <source>Your role may not change the roster.</source>
        <translation>您的角色无权修改排班。</translation>
    </message>
    <message>
        <source>Fix the errors listed above first.</source>
        <translation>请先修正上面列出的错误。</translation>
    </message>
    <message>
        <source>Roster</source>
        <translation>排班</translation>
    </message>
    <message>
        <source>Discard the unsaved changes of this week?</source>
        <translation>放弃本周未保存的修改？</translation>
    </message>
    <message>
        <source>The roster was not stored, nothing was changed: %1</source>
        <translation>排班未保存，未做任何修改：%1</translation>
    </message>
    <message>
        <source>Not saved: %1 errors.</source>
        <translation>未保存：%1 个错误。</translation>
    </message>
    <message>
        <source>This week has no roster to copy.</source>
        <translation>本周没有可复制的排班。</translation>
    </message>
    <message>
        <source>The week from %1 already has a roster. Replace it with a copy of this week?</source>
        <translation>自 %1 起的一周已有排班。用本周的副本替换吗？</translation>
    </message>
    <message>
        <source>Import roster</source>
        <translation>导入排班</translation>
    </message>
    <message>
        <source>Roster (*.csv *.xlsx)</source>
        <translation>排班 (*.csv *.xlsx)</translation>
    </message>
    <message>
        <source>%1 rows cannot be read; nothing was imported.</source>
        <translation>%1 行无法读取；未导入任何内容。</translation>
    </message>
    <message>
        <source>%1 has no roster rows.</source>
        <translation>%1 没有排班行。</translation>
    </message>
    <message>
        <source>Export roster</source>
        <translation>导出排班</translation>
    </message>
    <message>
        <source>Excel (*.xlsx);;CSV (*.csv)</source>
        <translation>Excel (*.xlsx);;CSV (*.csv)</translation>
    </message>
    <message>
        <source>%1 records written to %2.</source>
        <translation>%1 条记录已写入 %2。</translation>
    </message>
</context>
<context>
    <name>RuleDialog</name>
    <message>
        <source>Alert rule</source>
        <translation>告警规则</translation>
    </message>
    <message>
        <source>Raise at</source>
        <translation>触发阈值</translation>
    </message>
    <message>
        <source>Clear at</source>
        <translation>解除阈值</translation>
    </message>
    <message>
        <source>0: never</source>
        <translation>0：从不</translation>
    </message>
    <message>
        <source>Mon</source>
        <translation>周一</translation>
    </message>
    <message>
        <source>Tue</source>
        <translation>周二</translation>
    </message>
    <message>
        <source>Wed</source>
        <translation>周三</translation>
    </message>
    <message>
        <source>Thu</source>
        <translation>周四</translation>
    </message>
    <message>
        <source>Fri</source>
        <translation>周五</translation>
    </message>
    <message>
        <source>Sat</source>
        <translation>周六</translation>
    </message>
    <message>
        <source>Sun</source>
        <translation>周日</translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation>启用</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Watches</source>
        <translation>监测</translation>
    </message>
    <message>
        <source>Only for</source>
        <translation>仅限</translation>
    </message>
    <message>
        <source>Sustain before raising</source>
        <translation>触发前持续</translation>
    </message>
    <message>
        <source>Sustain before clearing</source>
        <translation>解除前持续</translation>
    </message>
    <message>
        <source>Cooldown after clearing</source>
        <translation>解除后冷却</translation>
    </message>
    <message>
        <source>Escalate if not acknowledged after</source>
        <translation>未确认时升级，间隔</translation>
    </message>
    <message>
        <source>Active hours</source>
        <translation>生效时段</translation>
    </message>
    <message>
        <source>Weekdays</source>
        <translation>星期</translation>
    </message>
    <message>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>the whole branch</source>
        <translation>全网点</translation>
    </message>
    <message>
        <source>This figure is measured for the whole branch only</source>
        <translation>该指标只按整个网点计算</translation>
    </message>
    <message>
        <source>All: the lobby and every zone with a capacity</source>
        <translation>全部：大堂及每个设有容量的区域</translation>
    </message>
    <message>
        <source>All: every service type&apos;s queue</source>
        <translation>全部：每个业务类型的队列</translation>
    </message>
    <message>
        <source>All: every counter</source>
        <translation>全部：每个窗口</translation>
    </message>
    <message>
        <source>All: every camera</source>
        <translation>全部：每个摄像头</translation>
    </message>
    <message>
        <source>All: everyone on the roster</source>
        <translation>全部：排班表上的每个人</translation>
    </message>
    <message>
        <source>Thresholds in %1; the alert is raised when the figure is %2 the raise threshold and clears when it is %3 the clear threshold.</source>
        <translation>阈值单位：%1；数值%2触发阈值时告警，%3解除阈值时解除。</translation>
    </message>
    <message>
        <source>counters or tickets</source>
        <translation>窗口数或票数</translation>
    </message>
    <message>
        <source>at or below</source>
        <translation>小于或等于</translation>
    </message>
    <message>
        <source>at or above</source>
        <translation>大于或等于</translation>
    </message>
    <message>
        <source>above</source>
        <translation>高于</translation>
    </message>
    <message>
        <source>below</source>
        <translation>低于</translation>
    </message>
    <message>
        <source>A rule named %1 exists already.</source>
        <translation>已有名为 %1 的规则。</translation>
    </message>
</context>
<context>
    <name>ServiceTypesDialog</name>
    <message>
        <source>Service types of %1</source>
        <translation>%1 的业务类型</translation>
    </message>
    <message>
        <source>The counter calls tickets of the ticked types:</source>
        <translation>该窗口叫号以下勾选的业务类型：</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <source> h</source>
        <translation> 小时</translation>
    </message>
    <message>
        <source>Show live staffing advice on the Counters panel</source>
        <translation>在窗口面板显示实时人员配置建议</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Demo speed (next start)</source>
        <translation>演示速度（下次启动生效）</translation>
    </message>
    <message>
        <source>Demo seed (next start)</source>
        <translation>演示随机种子（下次启动生效）</translation>
    </message>
    <message>
        <source>Service standard: share called</source>
        <translation>服务标准：叫号比例</translation>
    </message>
    <message>
        <source>... within</source>
        <translation>……在此时间内</translation>
    </message>
    <message>
        <source>Longest duty</source>
        <translation>最长班长</translation>
    </message>
    <message>
        <source>Shortest rest between duties</source>
        <translation>两班之间最短休息</translation>
    </message>
    <message>
        <source>Gaps shorter than this make one duty</source>
        <translation>间隔短于此视为同一班</translation>
    </message>
    <message>
        <source>the e-mail server&apos;s password could not be kept: %1</source>
        <translation>无法保存邮件服务器密码：%1</translation>
    </message>
    <message>
        <source>Database: %1</source>
        <translation>数据库：%1</translation>
    </message>
    <message>
        <source>never</source>
        <translation>从不</translation>
    </message>
    <message>
        <source>Lock the window after no input for</source>
        <translation>无操作多久后锁定窗口</translation>
    </message>
    <message>
        <source>General</source>
        <translation>常规</translation>
    </message>
    <message>
        <source>Staffing</source>
        <translation>排班与人手</translation>
    </message>
    <message>
        <source>Alert delivery</source>
        <translation>告警推送</translation>
    </message>
    <message>
        <source>Data and privacy</source>
        <translation>数据与隐私</translation>
    </message>
    <message>
        <source>Settings not saved</source>
        <translation>设置未保存</translation>
    </message>
    <message>
        <source>The settings could not be saved: %1</source>
        <translation>设置无法保存：%1</translation>
    </message>
</context>
<context>
    <name>ShiftDialog</name>
    <message>
        <source>Roster record</source>
        <translation>排班记录</translation>
    </message>
    <message>
        <source>Work</source>
        <translation>上班</translation>
    </message>
    <message>
        <source>Leave</source>
        <translation>请假</translation>
    </message>
    <message>
        <source>Back office / floor (no counter)</source>
        <translation>后台 / 大堂（无窗口）</translation>
    </message>
    <message>
        <source>e.g. 12:00-12:45; 15:00-15:15</source>
        <translation>例如 12:00-12:45; 15:00-15:15</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>人员</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Start (HH:MM)</source>
        <translation>开始（时:分）</translation>
    </message>
    <message>
        <source>End (HH:MM)</source>
        <translation>结束（时:分）</translation>
    </message>
    <message>
        <source>Counter</source>
        <translation>窗口</translation>
    </message>
    <message>
        <source>Breaks</source>
        <translation>休息</translation>
    </message>
</context>
<context>
    <name>StaffDirectoryDialog</name>
    <message>
        <source>Staff directory</source>
        <translation>员工名册</translation>
    </message>
    <message>
        <source>Employee no.</source>
        <translation>工号</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>岗位</translation>
    </message>
    <message>
        <source>Can handle</source>
        <translation>可办理</translation>
    </message>
    <message>
        <source>Add…</source>
        <translation>添加…</translation>
    </message>
    <message>
        <source>Change…</source>
        <translation>修改…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>%1 was not stored: %2</source>
        <translation>%1 未保存：%2</translation>
    </message>
</context>
<context>
    <name>StaffPage</name>
    <message>
        <source>Staff directory</source>
        <translation>员工名册</translation>
    </message>
    <message>
        <source>The people who work at the branch: employee number, name, role and the service types each can handle.</source>
        <translation>在网点工作的人员：工号、姓名、岗位和可办理的业务类型。</translation>
    </message>
    <message>
        <source>Employee no.</source>
        <translation>工号</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>岗位</translation>
    </message>
    <message>
        <source>Can handle</source>
        <translation>可办理</translation>
    </message>
    <message>
        <source>Import from a file…</source>
        <translation>从文件导入…</translation>
    </message>
    <message>
        <source>Add…</source>
        <translation>添加…</translation>
    </message>
    <message>
        <source>Change…</source>
        <translation>修改…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>A file (.csv or .xlsx) has the header employee_no,name,role,skills, with skills separated by &apos;;&apos; (for example cash;non_cash). Someone already in the list is replaced by the file&apos;s line. You may leave the directory empty: the roster editor&apos;s Staff directory… button adds people later.</source>
        <translation>文件（.csv 或 .xlsx）的表头为 employee_no,name,role,skills，skills 中的业务类型用“;”分隔（例如 cash;non_cash）。已在列表中的人员会被文件中的行替换。名册也可以先留空：以后用排班编辑中的“员工名册…”按钮添加人员。</translation>
    </message>
    <message>
        <source>Import the staff directory</source>
        <translation>导入员工名册</translation>
    </message>
    <message>
        <source>Staff directory (*.csv *.xlsx)</source>
        <translation>员工名册 (*.csv *.xlsx)</translation>
    </message>
    <message>
        <source>%1 cannot be imported: %2</source>
        <translation>%1 无法导入：%2</translation>
    </message>
    <message>
        <source>People read from %2: %1.</source>
        <translation>从 %2 读入 %1 人。</translation>
    </message>
    <message>
        <source>Line %1: %2</source>
        <translation>第 %1 行：%2</translation>
    </message>
    <message>
        <source>… and %1 more.</source>
        <translation>……另有 %1 行。</translation>
    </message>
    <message>
        <source>Lines not imported (%1): correct them in the file and import it again, or add the people by hand.</source>
        <translation>未导入的行（%1 行）：请在文件中改正后重新导入，或手工添加这些人员。</translation>
    </message>
</context>
<context>
    <name>StaffPanel</name>
    <message>
        <source>Today</source>
        <translation>今日</translation>
    </message>
    <message>
        <source>Roster</source>
        <translation>排班</translation>
    </message>
    <message>
        <source>Coverage</source>
        <translation>覆盖分析</translation>
    </message>
    <message>
        <source>Attendance</source>
        <translation>考勤</translation>
    </message>
</context>
<context>
    <name>StaffPickerDialog</name>
    <message>
        <source>Staff for %1</source>
        <translation>%1 的人员</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Employee no.</source>
        <translation>工号</translation>
    </message>
    <message>
        <source>Now</source>
        <translation>当前</translation>
    </message>
    <message>
        <source>Can handle</source>
        <translation>可办理业务</translation>
    </message>
    <message>
        <source>Greyed-out people cannot take this counter now; point at one to see why.</source>
        <translation>灰色人员当前不能接手该窗口；将鼠标指向可查看原因。</translation>
    </message>
</context>
<context>
    <name>StandardPage</name>
    <message>
        <source>Service standard</source>
        <translation>服务标准</translation>
    </message>
    <message>
        <source>How long customers should wait before a counter calls them.</source>
        <translation>客户在窗口叫号前应等候多长时间。</translation>
    </message>
    <message>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <source>Target wait</source>
        <translation>目标等候时间</translation>
    </message>
    <message>
        <source>Maximum wait</source>
        <translation>最长等候时间</translation>
    </message>
    <message>
        <source>Target wait: most customers should be called within it; the service level, the counters needed and the staffing advice are measured against it. Maximum wait: no customer should wait longer than this.</source>
        <translation>目标等候时间：大多数客户应在此时间内被叫号；服务水平、所需窗口数和人员配置建议都以它为准。最长等候时间：任何客户的等候都不应超过此时间。</translation>
    </message>
    <message>
        <source>The maximum wait (%1 min) must be longer than the target wait (%2 min).</source>
        <translation>最长等候时间（%1 分钟）必须长于目标等候时间（%2 分钟）。</translation>
    </message>
</context>
<context>
    <name>SummaryPage</name>
    <message>
        <source>Summary</source>
        <translation>摘要</translation>
    </message>
    <message>
        <source>Check what will be stored, then press Finish. Back changes any page.</source>
        <translation>请核对将要保存的内容，然后按“完成”。按“上一步”可修改任何一页。</translation>
    </message>
</context>
<context>
    <name>UserFormDialog</name>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Full name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Password again</source>
        <translation>再次输入密码</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
</context>
<context>
    <name>UserGuideDialog</name>
    <message>
        <source>User guide</source>
        <translation>用户指南</translation>
    </message>
    <message>
        <source>The user guide was not found at %1. Reinstall the console, or read it in the docs folder of the source.</source>
        <translation>在 %1 未找到用户指南。请重新安装本控制台，或查看源代码 docs 文件夹中的指南。</translation>
    </message>
</context>
<context>
    <name>UsersDialog</name>
    <message>
        <source>Users</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Add…</source>
        <translation>添加…</translation>
    </message>
    <message>
        <source>Set role</source>
        <translation>设置角色</translation>
    </message>
    <message>
        <source>Set password…</source>
        <translation>设置密码…</translation>
    </message>
    <message>
        <source>Disable</source>
        <translation>停用</translation>
    </message>
    <message>
        <source>active</source>
        <translation>启用</translation>
    </message>
    <message>
        <source>disabled</source>
        <translation>已停用</translation>
    </message>
    <message>
        <source>locked</source>
        <translation>已锁定</translation>
    </message>
    <message>
        <source>Enable</source>
        <translation>启用</translation>
    </message>
    <message>
        <source>Add user</source>
        <translation>添加用户</translation>
    </message>
    <message>
        <source>%1 added.</source>
        <translation>已添加 %1。</translation>
    </message>
    <message>
        <source>%1 is now %2.</source>
        <translation>%1 现在是%2。</translation>
    </message>
    <message>
        <source>Set password</source>
        <translation>设置密码</translation>
    </message>
    <message>
        <source>Password of %1 changed.</source>
        <translation>%1 的密码已更改。</translation>
    </message>
    <message>
        <source>%1 disabled.</source>
        <translation>已停用 %1。</translation>
    </message>
    <message>
        <source>%1 enabled.</source>
        <translation>已启用 %1。</translation>
    </message>
</context>
<context>
    <name>ZoneEditorDialog</name>
    <message>
        <source>Zones and lines — %1</source>
        <translation>区域与计数线 — %1</translation>
    </message>
    <message>
        <source>New zone</source>
        <translation>新建区域</translation>
    </message>
    <message>
        <source>New line</source>
        <translation>新建计数线</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>not set</source>
        <translation>未设置</translation>
    </message>
    <message>
        <source>Part of the lobby</source>
        <translation>属于大堂</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Capacity</source>
        <translation>容量</translation>
    </message>
    <message>
        <source>Choose New zone or New line, then click on the picture.</source>
        <translation>选择“新建区域”或“新建计数线”，然后在画面上点击。</translation>
    </message>
    <message>
        <source>Click the zone&apos;s corners; double-click or press Enter to close it.</source>
        <translation>依次点击区域的各个角点；双击或按回车闭合。</translation>
    </message>
    <message>
        <source>Click the line&apos;s two ends. People crossing to the right-hand side, seen from the first end looking at the second, count as in.</source>
        <translation>点击计数线的两个端点。从第一个端点望向第二个端点，走向右侧的人计为进入。</translation>
    </message>
    <message>
        <source>zone</source>
        <translation>区域</translation>
    </message>
    <message>
        <source>line</source>
        <translation>计数线</translation>
    </message>
    <message>
        <source>Every zone and line needs a name.</source>
        <translation>每个区域和计数线都需要名称。</translation>
    </message>
    <message>
        <source>The name %1 is used twice.</source>
        <translation>名称 %1 重复。</translation>
    </message>
    <message>
        <source>Zone %1 needs at least three points.</source>
        <translation>区域 %1 至少需要三个点。</translation>
    </message>
    <message>
        <source>Line %1 needs two different ends.</source>
        <translation>计数线 %1 需要两个不同的端点。</translation>
    </message>
</context>
<context>
    <name>labels</name>
    <message>
        <source>Cash</source>
        <translation>现金业务</translation>
    </message>
    <message>
        <source>Non-cash</source>
        <translation>非现金业务</translation>
    </message>
    <message>
        <source>Corporate</source>
        <translation>对公业务</translation>
    </message>
    <message>
        <source>VIP / priority</source>
        <translation>贵宾 / 绿色通道</translation>
    </message>
    <message>
        <source>Self-service</source>
        <translation>自助服务</translation>
    </message>
    <message>
        <source>Calling</source>
        <translation>叫号中</translation>
    </message>
    <message>
        <source>Serving</source>
        <translation>办理中</translation>
    </message>
    <message>
        <source>Idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>开启</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Change staff</source>
        <translation>更换人员</translation>
    </message>
    <message>
        <source>Change service types</source>
        <translation>更改业务类型</translation>
    </message>
    <message>
        <source>Upcoming</source>
        <translation>未到时</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>即将到时</translation>
    </message>
    <message>
        <source>Late, not here yet</source>
        <translation>已迟到，未到</translation>
    </message>
    <message>
        <source>Missing</source>
        <translation>爽约</translation>
    </message>
    <message>
        <source>Checked in early</source>
        <translation>提前签到</translation>
    </message>
    <message>
        <source>Checked in on time</source>
        <translation>准时签到</translation>
    </message>
    <message>
        <source>Checked in late</source>
        <translation>迟到签到</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>at %1</source>
        <translation>在%1</translation>
    </message>
    <message>
        <source>on break</source>
        <translation>休息中</translation>
    </message>
    <message>
        <source>on shift, not at a counter</source>
        <translation>当班，未在窗口</translation>
    </message>
    <message>
        <source>on leave</source>
        <translation>请假</translation>
    </message>
    <message>
        <source>off duty</source>
        <translation>不在班</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>等候</translation>
    </message>
    <message>
        <source>Called</source>
        <translation>已叫号</translation>
    </message>
    <message>
        <source>Being served</source>
        <translation>办理中</translation>
    </message>
    <message>
        <source>Served</source>
        <translation>已办理</translation>
    </message>
    <message>
        <source>No-show</source>
        <translation>过号未到</translation>
    </message>
    <message>
        <source>Abandoned</source>
        <translation>弃号</translation>
    </message>
    <message>
        <source>Entrance</source>
        <translation>入口</translation>
    </message>
    <message>
        <source>Waiting area</source>
        <translation>等候区</translation>
    </message>
    <message>
        <source>Counter area</source>
        <translation>柜台区</translation>
    </message>
    <message>
        <source>Self-service area</source>
        <translation>自助服务区</translation>
    </message>
    <message>
        <source>Teller</source>
        <translation>柜员</translation>
    </message>
    <message>
        <source>Senior teller</source>
        <translation>高级柜员</translation>
    </message>
    <message>
        <source>Corporate officer</source>
        <translation>对公客户经理</translation>
    </message>
    <message>
        <source>VIP relationship manager</source>
        <translation>贵宾理财经理</translation>
    </message>
    <message>
        <source>Lobby manager</source>
        <translation>大堂经理</translation>
    </message>
    <message>
        <source>Branch manager</source>
        <translation>网点负责人</translation>
    </message>
    <message>
        <source>Info</source>
        <translation>提示</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <source>Critical</source>
        <translation>严重</translation>
    </message>
    <message>
        <source>Raised</source>
        <translation>触发</translation>
    </message>
    <message>
        <source>Acknowledged</source>
        <translation>已确认</translation>
    </message>
    <message>
        <source>Resolved</source>
        <translation>已解除</translation>
    </message>
    <message>
        <source>Counter %1</source>
        <extracomment>The counters&apos; own names (1号窗口, 贵宾窗口) of the branch the window shows, by id: set by the window from each view (one window shows one branch), read wherever a counter is named by its id alone (alerts, advice, reports). The staff directory&apos;s names by employee number, of the branch the window shows (set with the counters&apos; names).</extracomment>
        <translation>%1号窗口</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 分 %2 秒</translation>
    </message>
    <message>
        <source>Security officer</source>
        <translation>安保人员</translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation>管理员</translation>
    </message>
    <message>
        <source>see the cameras</source>
        <translation>查看摄像机画面</translation>
    </message>
    <message>
        <source>see lobby occupancy</source>
        <translation>查看大厅人数</translation>
    </message>
    <message>
        <source>see alerts</source>
        <translation>查看告警</translation>
    </message>
    <message>
        <source>see counters, the queue, staff and reports</source>
        <translation>查看窗口、排队、人员和报表</translation>
    </message>
    <message>
        <source>acknowledge crowding alerts</source>
        <translation>确认拥挤告警</translation>
    </message>
    <message>
        <source>acknowledge camera alerts</source>
        <translation>确认摄像机告警</translation>
    </message>
    <message>
        <source>acknowledge queue and staffing alerts</source>
        <translation>确认排队和人员告警</translation>
    </message>
    <message>
        <source>change counters</source>
        <translation>调整窗口</translation>
    </message>
    <message>
        <source>check staff in and out</source>
        <translation>为员工签到签退</translation>
    </message>
    <message>
        <source>change the roster and the staff directory</source>
        <translation>修改排班和员工名录</translation>
    </message>
    <message>
        <source>change alert rules and thresholds</source>
        <translation>修改告警规则和阈值</translation>
    </message>
    <message>
        <source>change the branch&apos;s set-up</source>
        <translation>修改网点设置</translation>
    </message>
    <message>
        <source>report incidents</source>
        <translation>报告事件</translation>
    </message>
    <message>
        <source>edit the emergency plans</source>
        <translation>编辑应急预案</translation>
    </message>
    <message>
        <source>import data</source>
        <translation>导入数据</translation>
    </message>
    <message>
        <source>export reports</source>
        <translation>导出报表</translation>
    </message>
    <message>
        <source>read the audit trail</source>
        <translation>查看审计记录</translation>
    </message>
    <message>
        <source>see each person&apos;s and counter&apos;s figures</source>
        <translation>查看每位员工和每个窗口的指标</translation>
    </message>
    <message>
        <source>manage cameras</source>
        <translation>管理摄像机</translation>
    </message>
    <message>
        <source>manage users</source>
        <translation>管理用户</translation>
    </message>
    <message>
        <source>manage the database, privacy and the API token</source>
        <translation>管理数据库、隐私设置和接口令牌</translation>
    </message>
    <message>
        <source>change a branch opened from the regional view</source>
        <translation>修改从区域总览打开的网点</translation>
    </message>
    <message>
        <source>This branch is open read-only from the regional view (changes here: %1); act at the branch&apos;s own console.</source>
        <translation>此网点从区域总览以只读方式打开（可在此修改的角色：%1）；请在该网点自己的监控台操作。</translation>
    </message>
    <message>
        <source>A %1 may not %2 (allowed: %3).</source>
        <translation>%1无权%2（可由：%3）。</translation>
    </message>
    <message>
        <source>Medical emergency</source>
        <translation>突发疾病 / 受伤</translation>
    </message>
    <message>
        <source>Suspicious person or behaviour</source>
        <translation>可疑人员或行为</translation>
    </message>
    <message>
        <source>Dispute or disturbance</source>
        <translation>纠纷或闹事</translation>
    </message>
    <message>
        <source>Robbery or violence</source>
        <translation>抢劫或暴力事件</translation>
    </message>
    <message>
        <source>Fire or evacuation</source>
        <translation>火警 / 疏散</translation>
    </message>
    <message>
        <source>System outage (ticketing, card systems)</source>
        <translation>系统故障（叫号、银行卡系统）</translation>
    </message>
    <message>
        <source>Self-service device fault</source>
        <translation>自助设备故障</translation>
    </message>
    <message>
        <source>Other incident</source>
        <translation>其他事件</translation>
    </message>
    <message>
        <source>Crowded lobby (its crowding plan)</source>
        <translation>大堂拥挤（按拥挤预案处置）</translation>
    </message>
</context>
<context>
    <name>login</name>
    <message>
        <source>Branch Lobby Console — log in</source>
        <extracomment>The maximum wait a new branch starts with, in minutes (the long-wait rule&apos;s critical level by default).</extracomment>
        <translation>网点厅堂监控台 — 登录</translation>
    </message>
    <message>
        <source>Unknown user name.</source>
        <translation>用户名不存在。</translation>
    </message>
    <message>
        <source>User name or password is wrong, or the user is locked or disabled; after 5 wrong passwords a user is locked for 5 minutes.</source>
        <translation>用户名或密码错误，或该用户已锁定或停用；连续输错 5 次密码，用户将被锁定 5 分钟。</translation>
    </message>
    <message>
        <source>A password needs at least 10 characters, with letters and digits.</source>
        <translation>密码至少 10 位，须同时包含字母和数字。</translation>
    </message>
    <message>
        <source>A user with this name exists already.</source>
        <translation>同名用户已存在。</translation>
    </message>
    <message>
        <source>A user name is 2–64 letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos;.</source>
        <translation>用户名为 2–64 个字母、数字、“.”、“_”或“-”。</translation>
    </message>
    <message>
        <source>This is the only administrator; make another user administrator first.</source>
        <translation>这是唯一的管理员；请先将其他用户设为管理员。</translation>
    </message>
    <message>
        <source>Set up the administrator</source>
        <translation>设置管理员</translation>
    </message>
    <message>
        <source>Branch %1 has no console user yet. Choose the administrator&apos;s user name and password: the administrator adds the other users and their roles.</source>
        <translation>网点 %1 还没有监控台用户。请设置管理员的用户名和密码：其他用户及其角色由管理员添加。</translation>
    </message>
</context>
</TS>
