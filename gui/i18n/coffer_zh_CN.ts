<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AccountsPage</name>
    <message>
        <location filename="../pages/accounts.py" line="167"/>
        <source>Accounts</source>
        <translation>账户</translation>
    </message>
    <message numerus="yes">
        <location filename="../pages/accounts.py" line="169"/>
        <source>%1 - %n account(s)</source>
        <translation>
            <numerusform>%1 - %n 个账户</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>AddressBook</name>
    <message>
        <location filename="../pages/send_form.py" line="53"/>
        <source>Address book</source>
        <translation>地址簿</translation>
    </message>
    <message>
        <location filename="../pages/send_form.py" line="63"/>
        <source>Addresses of your past transactions on this network, with their labels</source>
        <translation>您在此网络上过往交易的地址及其标签</translation>
    </message>
    <message>
        <location filename="../pages/send_form.py" line="65"/>
        <source>No past transactions on this network yet</source>
        <translation>此网络上尚无过往交易</translation>
    </message>
</context>
<context>
    <name>BalancesModel</name>
    <message>
        <location filename="../pages/accounts.py" line="44"/>
        <source> (watch-only)</source>
        <translation>（仅观察）</translation>
    </message>
    <message>
        <location filename="../pages/accounts.py" line="83"/>
        <source>Network</source>
        <translation>网络</translation>
    </message>
    <message>
        <location filename="../pages/accounts.py" line="84"/>
        <source>Account</source>
        <translation>账户</translation>
    </message>
    <message>
        <location filename="../pages/accounts.py" line="85"/>
        <source>Asset</source>
        <translation>资产</translation>
    </message>
    <message>
        <location filename="../pages/accounts.py" line="86"/>
        <source>Confirmed</source>
        <translation>已确认</translation>
    </message>
    <message>
        <location filename="../pages/accounts.py" line="87"/>
        <source>Pending</source>
        <translation>待确认</translation>
    </message>
    <message>
        <location filename="../pages/accounts.py" line="88"/>
        <source>Frozen</source>
        <translation>已冻结</translation>
    </message>
    <message>
        <location filename="../pages/accounts.py" line="89"/>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location filename="../pages/accounts.py" line="123"/>
        <source>not synced</source>
        <translation>未同步</translation>
    </message>
</context>
<context>
    <name>CoinControlDialog</name>
    <message>
        <location filename="../pages/coins.py" line="147"/>
        <source>Coin control</source>
        <translation>币控制</translation>
    </message>
    <message>
        <location filename="../pages/coins.py" line="152"/>
        <source>Tick the coins this payment spends; it spends those and only those. Tick none to let the wallet choose (frozen coins are never chosen for you).</source>
        <translation>勾选本次付款要花费的币；只会花费这些币。若不勾选，则由钱包选择（已冻结的币绝不会被自动选中）。</translation>
    </message>
    <message>
        <location filename="../pages/coins.py" line="166"/>
        <source>The account has no coins as of the last sync.</source>
        <translation>截至上次同步，该账户没有币。</translation>
    </message>
</context>
<context>
    <name>CoinsModel</name>
    <message>
        <location filename="../pages/coins.py" line="41"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../pages/coins.py" line="42"/>
        <source>Confirmations</source>
        <translation>确认数</translation>
    </message>
    <message>
        <location filename="../pages/coins.py" line="43"/>
        <source>Label</source>
        <translation>标签</translation>
    </message>
    <message>
        <location filename="../pages/coins.py" line="44"/>
        <source>Frozen</source>
        <translation>已冻结</translation>
    </message>
    <message>
        <location filename="../pages/coins.py" line="45"/>
        <source>Coin</source>
        <translation>币（输出点）</translation>
    </message>
    <message>
        <location filename="../pages/coins.py" line="93"/>
        <source>frozen</source>
        <translation>已冻结</translation>
    </message>
</context>
<context>
    <name>Dashboard</name>
    <message>
        <location filename="../pages/dashboard.py" line="49"/>
        <source>Coins</source>
        <translation>币</translation>
    </message>
    <message>
        <location filename="../pages/dashboard.py" line="50"/>
        <source>Tokens</source>
        <translation>代币</translation>
    </message>
    <message>
        <location filename="../pages/dashboard.py" line="51"/>
        <source>Collectibles and tickets</source>
        <translation>收藏品和门票</translation>
    </message>
    <message>
        <location filename="../pages/dashboard.py" line="52"/>
        <source>Fiat accounts</source>
        <translation>法币账户</translation>
    </message>
    <message>
        <location filename="../pages/dashboard.py" line="53"/>
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <location filename="../pages/dashboard.py" line="85"/>
        <source>Asset</source>
        <translation>资产</translation>
    </message>
    <message>
        <location filename="../pages/dashboard.py" line="86"/>
        <source>Where</source>
        <translation>位置</translation>
    </message>
    <message>
        <location filename="../pages/dashboard.py" line="87"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../pages/dashboard.py" line="88"/>
        <source>Price</source>
        <translation>价格</translation>
    </message>
    <message>
        <location filename="../pages/dashboard.py" line="89"/>
        <source>Value</source>
        <translation>价值</translation>
    </message>
    <message>
        <location filename="../pages/dashboard.py" line="90"/>
        <source>24 h</source>
        <translation>24 小时</translation>
    </message>
    <message>
        <location filename="../pages/dashboard.py" line="148"/>
        <location filename="../pages/dashboard.py" line="154"/>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <location filename="../pages/dashboard.py" line="160"/>
        <source>unknown: %1</source>
        <translation>未知：%1</translation>
    </message>
    <message>
        <location filename="../pages/dashboard.py" line="172"/>
        <source>Rate from %1 at %2</source>
        <translation>汇率来源 %1，时间 %2</translation>
    </message>
    <message>
        <location filename="../pages/dashboard.py" line="177"/>
        <source>(offline: last known rate)</source>
        <translation>（离线：最后已知汇率）</translation>
    </message>
</context>
<context>
    <name>DashboardPage</name>
    <message>
        <location filename="../pages/dashboard.py" line="200"/>
        <source>Refresh prices</source>
        <translation>刷新价格</translation>
    </message>
    <message>
        <location filename="../pages/dashboard.py" line="252"/>
        <source>Valuing</source>
        <translation>正在估值</translation>
    </message>
    <message>
        <location filename="../pages/dashboard.py" line="252"/>
        <source>Refreshing prices</source>
        <translation>正在刷新价格</translation>
    </message>
    <message>
        <location filename="../pages/dashboard.py" line="255"/>
        <source>Cancelled: the values shown are from before.</source>
        <translation>已取消：显示的仍是之前的价值。</translation>
    </message>
    <message numerus="yes">
        <location filename="../pages/dashboard.py" line="285"/>
        <source>%n holding(s) without a known value, not counted in the total.</source>
        <translation>
            <numerusform>%n 项持有资产价值未知，未计入总额。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../pages/dashboard.py" line="291"/>
        <source>Prices marked &apos;sample&apos; are bundled sample data, not market prices.</source>
        <translation>标记为“sample”的价格是内置示例数据，并非市场价格。</translation>
    </message>
    <message>
        <location filename="../pages/dashboard.py" line="297"/>
        <source>Nothing valued yet</source>
        <translation>尚无估值</translation>
    </message>
    <message>
        <location filename="../pages/dashboard.py" line="309"/>
        <source>Not enough history for a chart yet</source>
        <translation>历史数据不足，暂无法绘制图表</translation>
    </message>
    <message>
        <location filename="../pages/dashboard.py" line="321"/>
        <source>24 h: unknown</source>
        <translation>24 小时：未知</translation>
    </message>
</context>
<context>
    <name>FeeChooser</name>
    <message>
        <location filename="../pages/send_form.py" line="95"/>
        <source>Slow</source>
        <translation>慢速</translation>
    </message>
    <message>
        <location filename="../pages/send_form.py" line="95"/>
        <source>Normal</source>
        <translation>普通</translation>
    </message>
    <message>
        <location filename="../pages/send_form.py" line="95"/>
        <source>Fast</source>
        <translation>快速</translation>
    </message>
    <message>
        <location filename="../pages/send_form.py" line="169"/>
        <source>%1: up to %2 gwei per gas, a transfer at most %3</source>
        <translation>%1：每单位 gas 最多 %2 gwei，一笔转账最多 %3</translation>
    </message>
    <message>
        <location filename="../pages/send_form.py" line="175"/>
        <source>Each level&apos;s price comes from the network&apos;s recent blocks.</source>
        <translation>每个档位的价格来自网络最近的区块。</translation>
    </message>
    <message>
        <location filename="../pages/send_form.py" line="123"/>
        <source>Asking the server for fee estimates...</source>
        <translation>正在向服务器获取手续费估算…</translation>
    </message>
    <message>
        <location filename="../pages/send_form.py" line="139"/>
        <source>Fee estimates unavailable: %1</source>
        <translation>无法获取手续费估算：%1</translation>
    </message>
    <message>
        <location filename="../pages/send_form.py" line="142"/>
        <source>Fee estimates</source>
        <translation>手续费估算</translation>
    </message>
    <message numerus="yes">
        <location filename="../pages/send_form.py" line="151"/>
        <source>%1: %2 sat/vB, %n block(s), about %3 min</source>
        <translation>
            <numerusform>%1：%2 sat/vB，%n 个区块，约 %3 分钟</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../pages/send_form.py" line="160"/>
        <source>The server has no estimates: these are the network&apos;s fallback rates.</source>
        <translation>服务器没有估算：以下为该网络的备用费率。</translation>
    </message>
</context>
<context>
    <name>HardwareStep</name>
    <message>
        <location filename="../pages/hardware_step.py" line="52"/>
        <source>Connect a hardware wallet</source>
        <translation>连接硬件钱包</translation>
    </message>
    <message>
        <location filename="../pages/hardware_step.py" line="55"/>
        <source>Plug the device in and unlock it. Its keys stay on it: this computer keeps only the account&apos;s public key, and the device signs and shows addresses.</source>
        <translation>请插入设备并解锁。密钥始终留在设备上：这台电脑只保存账户的公钥，由设备签名并显示地址。</translation>
    </message>
    <message>
        <location filename="../pages/hardware_step.py" line="65"/>
        <source>No device found yet</source>
        <translation>尚未找到设备</translation>
    </message>
    <message>
        <location filename="../pages/hardware_step.py" line="66"/>
        <source>Look for devices</source>
        <translation>查找设备</translation>
    </message>
    <message>
        <location filename="../pages/hardware_step.py" line="71"/>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <location filename="../pages/hardware_step.py" line="76"/>
        <source>Network</source>
        <translation>网络</translation>
    </message>
    <message>
        <location filename="../pages/hardware_step.py" line="80"/>
        <source>Native segwit (bc1q..., p2wpkh)</source>
        <translation>原生隔离见证（bc1q...，p2wpkh）</translation>
    </message>
    <message>
        <location filename="../pages/hardware_step.py" line="81"/>
        <source>Taproot (bc1p..., p2tr)</source>
        <translation>Taproot（bc1p...，p2tr）</translation>
    </message>
    <message>
        <location filename="../pages/hardware_step.py" line="82"/>
        <source>Nested segwit (3..., p2sh-p2wpkh)</source>
        <translation>嵌套隔离见证（3...，p2sh-p2wpkh）</translation>
    </message>
    <message>
        <location filename="../pages/hardware_step.py" line="83"/>
        <source>Legacy (1..., p2pkh)</source>
        <translation>传统（1...，p2pkh）</translation>
    </message>
    <message>
        <location filename="../pages/hardware_step.py" line="86"/>
        <source>Account type</source>
        <translation>账户类型</translation>
    </message>
    <message>
        <location filename="../pages/hardware_step.py" line="90"/>
        <source>Account number</source>
        <translation>账户编号</translation>
    </message>
    <message>
        <location filename="../pages/hardware_step.py" line="92"/>
        <source>Wallet file</source>
        <translation>钱包文件</translation>
    </message>
    <message>
        <location filename="../pages/hardware_step.py" line="96"/>
        <source>Read the account from the device</source>
        <translation>从设备读取账户</translation>
    </message>
    <message>
        <location filename="../pages/hardware_step.py" line="104"/>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location filename="../pages/hardware_step.py" line="116"/>
        <source>Looking for hardware wallets...</source>
        <translation>正在查找硬件钱包...</translation>
    </message>
    <message>
        <location filename="../pages/hardware_step.py" line="127"/>
        <source>Looking for hardware wallets</source>
        <translation>正在查找硬件钱包</translation>
    </message>
    <message>
        <location filename="../pages/hardware_step.py" line="128"/>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <location filename="../pages/hardware_step.py" line="138"/>
        <source>%1 (locked: unlock it on the device)</source>
        <translation>%1（已锁定：请在设备上解锁）</translation>
    </message>
    <message>
        <location filename="../pages/hardware_step.py" line="140"/>
        <source>%1 (cannot be used: %2)</source>
        <translation>%1（无法使用：%2）</translation>
    </message>
    <message numerus="yes">
        <location filename="../pages/hardware_step.py" line="147"/>
        <source>Found %n device(s).</source>
        <translation>
            <numerusform>找到 %n 台设备。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../pages/hardware_step.py" line="149"/>
        <source>No hardware wallet was found. Plug it in, unlock it, and look again.</source>
        <translation>未找到硬件钱包。请插入并解锁设备，然后重新查找。</translation>
    </message>
    <message>
        <location filename="../pages/hardware_step.py" line="155"/>
        <source>Look for devices and choose one first.</source>
        <translation>请先查找设备并选择一台。</translation>
    </message>
    <message>
        <location filename="../pages/hardware_step.py" line="159"/>
        <source>Choose a password of 8 characters or more, twice.</source>
        <translation>请设置至少 8 个字符的密码，并输入两次。</translation>
    </message>
</context>
<context>
    <name>HistoryModel</name>
    <message>
        <location filename="../history_model.py" line="49"/>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../history_model.py" line="50"/>
        <source>Network</source>
        <translation>网络</translation>
    </message>
    <message>
        <location filename="../history_model.py" line="51"/>
        <source>Label</source>
        <translation>标签</translation>
    </message>
    <message>
        <location filename="../history_model.py" line="52"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../history_model.py" line="53"/>
        <source>Asset</source>
        <translation>资产</translation>
    </message>
    <message>
        <location filename="../history_model.py" line="54"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../history_model.py" line="55"/>
        <source>Transaction</source>
        <translation>交易</translation>
    </message>
    <message>
        <location filename="../history_model.py" line="65"/>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message numerus="yes">
        <location filename="../history_model.py" line="244"/>
        <source>%n confirmation(s)</source>
        <translation>
            <numerusform>%n 次确认</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>HistoryPage</name>
    <message>
        <location filename="../pages/history.py" line="55"/>
        <source>Search transaction id, label, address</source>
        <translation>搜索交易 ID、标签、地址</translation>
    </message>
    <message>
        <location filename="../pages/history.py" line="60"/>
        <source>Sent and received</source>
        <translation>发送和接收</translation>
    </message>
    <message>
        <location filename="../pages/history.py" line="61"/>
        <source>Sent</source>
        <translation>已发送</translation>
    </message>
    <message>
        <location filename="../pages/history.py" line="62"/>
        <source>Received</source>
        <translation>收到</translation>
    </message>
    <message>
        <location filename="../pages/history.py" line="68"/>
        <source>Any status</source>
        <translation>任意状态</translation>
    </message>
    <message>
        <location filename="../pages/history.py" line="75"/>
        <source>Export CSV...</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <location filename="../pages/history.py" line="120"/>
        <source>All accounts</source>
        <translation>全部账户</translation>
    </message>
    <message numerus="yes">
        <location filename="../pages/history.py" line="157"/>
        <source>%n transaction(s)</source>
        <translation>
            <numerusform>%n 笔交易</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../pages/history.py" line="174"/>
        <source>Bump fee...</source>
        <translation>提高手续费...</translation>
    </message>
    <message>
        <location filename="../pages/history.py" line="176"/>
        <source>Speed up...</source>
        <translation>加速...</translation>
    </message>
    <message>
        <location filename="../pages/history.py" line="176"/>
        <source>Cancel...</source>
        <translation>取消交易...</translation>
    </message>
    <message>
        <location filename="../pages/history.py" line="209"/>
        <source>Details...</source>
        <translation>详情...</translation>
    </message>
    <message>
        <location filename="../pages/history.py" line="242"/>
        <source>Preparing</source>
        <translation>正在准备</translation>
    </message>
    <message>
        <location filename="../pages/history.py" line="246"/>
        <source>Export history</source>
        <translation>导出历史记录</translation>
    </message>
    <message>
        <location filename="../pages/history.py" line="246"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
</context>
<context>
    <name>LinkFiller</name>
    <message>
        <location filename="../pages/send_link.py" line="69"/>
        <source>This wallet has no %1 account to pay it from.</source>
        <translation>此钱包没有可用于付款的 %1 账户。</translation>
    </message>
    <message>
        <location filename="../pages/send_link.py" line="77"/>
        <source>Add the token %1 first: the wallet does not know it.</source>
        <translation>请先添加代币 %1：钱包还不认识它。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../main_window.py" line="53"/>
        <location filename="../main_window.py" line="284"/>
        <source>Coffer</source>
        <translation>Coffer</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="74"/>
        <source>Dashboard</source>
        <translation>总览</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="75"/>
        <source>Accounts</source>
        <translation>账户</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="76"/>
        <source>Send</source>
        <translation>付款</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="77"/>
        <source>Receive</source>
        <translation>收款</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="78"/>
        <source>History</source>
        <translation>历史记录</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="79"/>
        <source>Sign elsewhere</source>
        <translation>在别处签名</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="80"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="99"/>
        <source>Wallet</source>
        <translation>钱包</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="103"/>
        <source>Sync</source>
        <translation>同步</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="105"/>
        <source>Hide balances</source>
        <translation>隐藏余额</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="108"/>
        <source>Lock</source>
        <translation>锁定</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="115"/>
        <location filename="../main_window.py" line="166"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="117"/>
        <source>Stop the sync or the refresh that is running</source>
        <translation>停止正在进行的同步或刷新</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="146"/>
        <source>Browse...</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="154"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="155"/>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="162"/>
        <source>Open a Coffer wallet</source>
        <translation>打开 Coffer 钱包</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="172"/>
        <source>Create, restore or watch a wallet...</source>
        <translation>创建、恢复或观察钱包…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="180"/>
        <source>Wallet file</source>
        <translation>钱包文件</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="190"/>
        <source>Unlocking...</source>
        <translation>正在解锁…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="195"/>
        <source>Unlocking</source>
        <translation>正在解锁</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="204"/>
        <source>Cancelled: the wallet stays locked.</source>
        <translation>已取消：钱包保持锁定。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="286"/>
        <source>Locked.</source>
        <translation>已锁定。</translation>
    </message>
</context>
<context>
    <name>Onboarding</name>
    <message>
        <location filename="../pages/onboarding.py" line="75"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="103"/>
        <source>A new Coffer wallet</source>
        <translation>新的 Coffer 钱包</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="105"/>
        <source>Create a new wallet</source>
        <translation>创建新钱包</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="106"/>
        <location filename="../pages/onboarding.py" line="213"/>
        <source>Restore from recovery words</source>
        <translation>用助记词恢复</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="107"/>
        <source>Watch an account (no keys on this computer)</source>
        <translation>观察账户（本机不保存私钥）</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="108"/>
        <source>Connect a hardware wallet</source>
        <translation>连接硬件钱包</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="114"/>
        <source>Open an existing wallet</source>
        <translation>打开已有钱包</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="129"/>
        <source>Write these words down</source>
        <translation>请抄写这些助记词</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="133"/>
        <source>They are the only way back to your money if this computer is lost. Write them on paper, in order; never photograph or type them anywhere.</source>
        <translation>如果这台电脑丢失，它们是找回资金的唯一途径。请按顺序抄写在纸上；切勿拍照或在任何地方输入。</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="144"/>
        <location filename="../pages/onboarding.py" line="236"/>
        <location filename="../pages/onboarding.py" line="335"/>
        <source>Wallet file</source>
        <translation>钱包文件</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="148"/>
        <source>I have written them down</source>
        <translation>我已抄写好</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="158"/>
        <location filename="../pages/onboarding.py" line="289"/>
        <location filename="../pages/onboarding.py" line="350"/>
        <source>Choose a password of 8 characters or more, twice.</source>
        <translation>请设置至少 8 个字符的密码，并输入两次。</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="163"/>
        <source>Word %1</source>
        <translation>第 %1 个词</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="169"/>
        <source>Check your words</source>
        <translation>核对助记词</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="177"/>
        <source>Create the wallet</source>
        <translation>创建钱包</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="180"/>
        <source>Show the words again</source>
        <translation>再次显示助记词</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="198"/>
        <source>A word does not match. Check your paper.</source>
        <translation>有一个词不匹配，请检查您抄写的纸。</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="216"/>
        <source>12 or 24 words, separated by spaces</source>
        <translation>12 或 24 个词，以空格分隔</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="230"/>
        <source>Optional BIP-39 passphrase</source>
        <translation>可选的 BIP-39 密语</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="232"/>
        <source>Words</source>
        <translation>助记词</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="234"/>
        <source>Passphrase</source>
        <translation>密语</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="240"/>
        <source>Restore</source>
        <translation>恢复</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="270"/>
        <source>%1 words so far.</source>
        <translation>已输入 %1 个词。</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="277"/>
        <source>The words and their checksum are valid.</source>
        <translation>助记词及其校验和有效。</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="303"/>
        <source>Watch an account</source>
        <translation>观察账户</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="312"/>
        <source>What a signer exported (any form)</source>
        <translation>签名器导出的内容（任意格式）</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="313"/>
        <source>Extended public key (xpub, zpub...)</source>
        <translation>扩展公钥（xpub、zpub…）</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="314"/>
        <source>Output descriptor</source>
        <translation>输出描述符</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="315"/>
        <source>EVM address</source>
        <translation>EVM 地址</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="321"/>
        <source>A descriptor, an xpub, Sparrow or Electrum JSON, ur:crypto-account...</source>
        <translation>描述符、xpub、Sparrow 或 Electrum JSON、ur:crypto-account...</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="325"/>
        <source>From a file…</source>
        <translation>从文件…</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="327"/>
        <source>From a QR image…</source>
        <translation>从二维码图片…</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="331"/>
        <source>Network</source>
        <translation>网络</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="332"/>
        <source>What</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="333"/>
        <source>Key</source>
        <translation>密钥</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="339"/>
        <source>Watch</source>
        <translation>观察</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="378"/>
        <source>A signer&apos;s export</source>
        <translation>签名器的导出</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="401"/>
        <location filename="../pages/onboarding.py" line="429"/>
        <source>Reading</source>
        <translation>正在读取</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="402"/>
        <location filename="../pages/onboarding.py" line="430"/>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="407"/>
        <source>A QR code of a signer&apos;s export</source>
        <translation>签名器导出内容的二维码</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="452"/>
        <source>Making the wallet file...</source>
        <translation>正在创建钱包文件…</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="475"/>
        <source>Cancelled. If the wallet file was made meanwhile, it is closed and stays where you chose; open it with its password, or delete it.</source>
        <translation>已取消。如果钱包文件在此期间已经创建，它已被关闭并保留在你选择的位置；可以用其密码打开，或将其删除。</translation>
    </message>
    <message>
        <location filename="../pages/onboarding.py" line="484"/>
        <source>Making the wallet file</source>
        <translation>正在创建钱包文件</translation>
    </message>
</context>
<context>
    <name>PasswordFields</name>
    <message>
        <location filename="../pages/wallet_fields.py" line="43"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../pages/wallet_fields.py" line="44"/>
        <source>Again</source>
        <translation>再次输入</translation>
    </message>
    <message>
        <location filename="../pages/wallet_fields.py" line="45"/>
        <source>Strength</source>
        <translation>强度</translation>
    </message>
    <message>
        <location filename="../pages/wallet_fields.py" line="55"/>
        <source>The two passwords differ.</source>
        <translation>两次输入的密码不同。</translation>
    </message>
</context>
<context>
    <name>PayLinkRow</name>
    <message>
        <location filename="../pages/requests.py" line="216"/>
        <source>Paste a payment link (bitcoin:, litecoin:, dogecoin:, ethereum:)</source>
        <translation>粘贴付款链接（bitcoin:、litecoin:、dogecoin:、ethereum:）</translation>
    </message>
    <message>
        <location filename="../pages/requests.py" line="219"/>
        <source>Read link</source>
        <translation>读取链接</translation>
    </message>
    <message>
        <location filename="../pages/requests.py" line="221"/>
        <source>QR image…</source>
        <translation>二维码图片…</translation>
    </message>
    <message>
        <location filename="../pages/requests.py" line="251"/>
        <source>Reading the QR code</source>
        <translation>正在读取二维码</translation>
    </message>
    <message>
        <location filename="../pages/requests.py" line="256"/>
        <source>A QR code of a payment link</source>
        <translation>付款链接的二维码</translation>
    </message>
    <message>
        <location filename="../pages/requests.py" line="258"/>
        <source>Images (*.png *.jpg *.jpeg *.gif)</source>
        <translation>图片 (*.png *.jpg *.jpeg *.gif)</translation>
    </message>
    <message>
        <location filename="../pages/requests.py" line="270"/>
        <source>Payment request</source>
        <translation>付款请求</translation>
    </message>
</context>
<context>
    <name>ReceivePage</name>
    <message>
        <location filename="../pages/receive.py" line="50"/>
        <source>Receive</source>
        <translation>收款</translation>
    </message>
    <message>
        <location filename="../pages/receive.py" line="59"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../pages/receive.py" line="62"/>
        <source>New address</source>
        <translation>新地址</translation>
    </message>
    <message>
        <location filename="../pages/receive.py" line="65"/>
        <source>Show on the device</source>
        <translation>在设备上显示</translation>
    </message>
    <message>
        <location filename="../pages/receive.py" line="68"/>
        <source>Have the hardware wallet show this address on its own screen</source>
        <translation>让硬件钱包在自己的屏幕上显示此地址</translation>
    </message>
    <message>
        <location filename="../pages/receive.py" line="136"/>
        <source>Have the hardware wallet %1 show this address on its own screen</source>
        <translation>让硬件钱包 %1 在自己的屏幕上显示此地址</translation>
    </message>
    <message>
        <location filename="../pages/receive.py" line="141"/>
        <source>A new address for each payment keeps your payments apart.</source>
        <translation>每笔付款使用新地址，可让您的付款互不关联。</translation>
    </message>
    <message>
        <location filename="../pages/receive.py" line="143"/>
        <source>An EVM account has one address on every chain.</source>
        <translation>EVM 账户在每条链上使用同一个地址。</translation>
    </message>
    <message>
        <location filename="../pages/receive.py" line="174"/>
        <source>Check the device&apos;s screen: it shows the address it derives itself.</source>
        <translation>请查看设备屏幕：它显示的是设备自己推导出的地址。</translation>
    </message>
    <message>
        <location filename="../pages/receive.py" line="178"/>
        <source>Asking the device</source>
        <translation>正在询问设备</translation>
    </message>
    <message>
        <location filename="../pages/receive.py" line="187"/>
        <source>The device shows the same address: %1</source>
        <translation>设备显示的是同一个地址：%1</translation>
    </message>
    <message>
        <location filename="../pages/receive.py" line="193"/>
        <source>Do not use this address.</source>
        <translation>请勿使用此地址。</translation>
    </message>
</context>
<context>
    <name>RequestPanel</name>
    <message>
        <location filename="../pages/requests.py" line="50"/>
        <source>Never expires</source>
        <translation>永不过期</translation>
    </message>
    <message>
        <location filename="../pages/requests.py" line="51"/>
        <source>Expires in 1 hour</source>
        <translation>1 小时后过期</translation>
    </message>
    <message>
        <location filename="../pages/requests.py" line="52"/>
        <source>Expires in 1 day</source>
        <translation>1 天后过期</translation>
    </message>
    <message>
        <location filename="../pages/requests.py" line="53"/>
        <source>Expires in 1 week</source>
        <translation>1 周后过期</translation>
    </message>
    <message>
        <location filename="../pages/requests.py" line="60"/>
        <source>unpaid</source>
        <translation>未付款</translation>
    </message>
    <message>
        <location filename="../pages/requests.py" line="61"/>
        <source>pending</source>
        <translation>待确认</translation>
    </message>
    <message>
        <location filename="../pages/requests.py" line="62"/>
        <source>partially paid</source>
        <translation>部分付款</translation>
    </message>
    <message>
        <location filename="../pages/requests.py" line="63"/>
        <source>paid</source>
        <translation>已付款</translation>
    </message>
    <message>
        <location filename="../pages/requests.py" line="64"/>
        <source>overpaid</source>
        <translation>多付</translation>
    </message>
    <message>
        <location filename="../pages/requests.py" line="69"/>
        <source>(%1 missing)</source>
        <translation>（还差 %1）</translation>
    </message>
    <message>
        <location filename="../pages/requests.py" line="81"/>
        <source>Request a payment</source>
        <translation>请求付款</translation>
    </message>
    <message>
        <location filename="../pages/requests.py" line="91"/>
        <source>Who asks (shown to the payer)</source>
        <translation>收款人（付款人可见）</translation>
    </message>
    <message>
        <location filename="../pages/requests.py" line="94"/>
        <source>What it is for</source>
        <translation>用途</translation>
    </message>
    <message>
        <location filename="../pages/requests.py" line="99"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../pages/requests.py" line="100"/>
        <source>Label</source>
        <translation>标签</translation>
    </message>
    <message>
        <location filename="../pages/requests.py" line="101"/>
        <source>Message</source>
        <translation>留言</translation>
    </message>
    <message>
        <location filename="../pages/requests.py" line="102"/>
        <source>Expiry</source>
        <translation>有效期</translation>
    </message>
    <message>
        <location filename="../pages/requests.py" line="104"/>
        <source>Create request</source>
        <translation>创建请求</translation>
    </message>
    <message>
        <location filename="../pages/requests.py" line="124"/>
        <source>Requests of this account (as of the last sync):</source>
        <translation>此账户的付款请求（截至上次同步）：</translation>
    </message>
    <message>
        <location filename="../pages/requests.py" line="168"/>
        <source>Type the amount to ask for, such as 0.01.</source>
        <translation>请输入要请求的金额，例如 0.01。</translation>
    </message>
    <message>
        <location filename="../pages/requests.py" line="199"/>
        <source>Making the request</source>
        <translation>正在创建请求</translation>
    </message>
</context>
<context>
    <name>Review</name>
    <message>
        <location filename="../pages/review.py" line="24"/>
        <source>Fee bump (replace-by-fee)</source>
        <translation>提高手续费（费用替换）</translation>
    </message>
    <message>
        <location filename="../pages/review.py" line="25"/>
        <source>Child pays for parent</source>
        <translation>子交易为父交易付费</translation>
    </message>
    <message>
        <location filename="../pages/review.py" line="26"/>
        <source>Speed-up</source>
        <translation>加速</translation>
    </message>
    <message>
        <location filename="../pages/review.py" line="27"/>
        <source>Cancellation</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../pages/review.py" line="29"/>
        <source>Payment</source>
        <translation>付款</translation>
    </message>
    <message>
        <location filename="../pages/review.py" line="46"/>
        <source>value unknown: %1</source>
        <translation>价值未知：%1</translation>
    </message>
    <message>
        <location filename="../pages/review.py" line="53"/>
        <source>%1 (1 %2 = %3, from %4 at %5)</source>
        <translation>%1（1 %2 = %3，来自 %4，时间 %5）</translation>
    </message>
    <message>
        <location filename="../pages/review.py" line="80"/>
        <source>change, back to you</source>
        <translation>找零，退回给您</translation>
    </message>
    <message>
        <location filename="../pages/review.py" line="81"/>
        <source>Network</source>
        <translation>网络</translation>
    </message>
    <message>
        <location filename="../pages/review.py" line="88"/>
        <source>Replaces</source>
        <translation>替换</translation>
    </message>
    <message>
        <location filename="../pages/review.py" line="98"/>
        <source>Fee</source>
        <translation>手续费</translation>
    </message>
    <message>
        <location filename="../pages/review.py" line="103"/>
        <source>Coins spent</source>
        <translation>花费的币</translation>
    </message>
    <message>
        <location filename="../pages/review.py" line="106"/>
        <source>Call</source>
        <translation>合约调用</translation>
    </message>
</context>
<context>
    <name>SendPage</name>
    <message>
        <location filename="../pages/send.py" line="86"/>
        <source>Send</source>
        <translation>付款</translation>
    </message>
    <message>
        <location filename="../pages/send.py" line="96"/>
        <source>Pay a request</source>
        <translation>支付请求</translation>
    </message>
    <message>
        <location filename="../pages/send.py" line="100"/>
        <source>From</source>
        <translation>付款账户</translation>
    </message>
    <message>
        <location filename="../pages/send.py" line="104"/>
        <source>Asset</source>
        <translation>资产</translation>
    </message>
    <message>
        <location filename="../pages/send.py" line="108"/>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location filename="../pages/send.py" line="115"/>
        <source>To</source>
        <translation>收款地址</translation>
    </message>
    <message>
        <location filename="../pages/send.py" line="122"/>
        <source>Max</source>
        <translation>全部</translation>
    </message>
    <message>
        <location filename="../pages/send.py" line="129"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../pages/send.py" line="144"/>
        <source>Value</source>
        <translation>价值</translation>
    </message>
    <message>
        <location filename="../pages/send.py" line="147"/>
        <source>Fee</source>
        <translation>手续费</translation>
    </message>
    <message>
        <location filename="../pages/send.py" line="149"/>
        <source>Coin control...</source>
        <translation>币控制…</translation>
    </message>
    <message>
        <location filename="../pages/send.py" line="157"/>
        <source>Coins</source>
        <translation>币</translation>
    </message>
    <message>
        <location filename="../pages/send.py" line="158"/>
        <source>Review</source>
        <translation>核对</translation>
    </message>
    <message>
        <location filename="../pages/send.py" line="178"/>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location filename="../pages/send.py" line="180"/>
        <source>Sign and send</source>
        <translation>签名并发送</translation>
    </message>
    <message>
        <location filename="../pages/send.py" line="183"/>
        <source>Sign elsewhere</source>
        <translation>在别处签名</translation>
    </message>
    <message>
        <location filename="../pages/send.py" line="186"/>
        <source>Hand this transaction to an air-gapped signer or a hardware wallet</source>
        <translation>把这笔交易交给离线签名器或硬件钱包</translation>
    </message>
    <message>
        <location filename="../pages/send.py" line="206"/>
        <source>New payment</source>
        <translation>新付款</translation>
    </message>
    <message>
        <location filename="../pages/send.py" line="270"/>
        <source>An expired request</source>
        <translation>已过期的请求</translation>
    </message>
    <message>
        <location filename="../pages/send.py" line="272"/>
        <source>This payment request has expired: the payee may no longer expect it. Pay it anyway?</source>
        <translation>此付款请求已过期：收款人可能不再等待这笔付款。仍要支付吗？</translation>
    </message>
    <message>
        <location filename="../pages/send.py" line="288"/>
        <source>%1 (token)</source>
        <translation>%1（代币）</translation>
    </message>
    <message>
        <location filename="../pages/send.py" line="291"/>
        <source>%1 (collectible)</source>
        <translation>%1（收藏品）</translation>
    </message>
    <message>
        <location filename="../pages/send.py" line="299"/>
        <location filename="../pages/send.py" line="421"/>
        <source>The wallet chooses the coins.</source>
        <translation>由钱包选择要花费的币。</translation>
    </message>
    <message>
        <location filename="../pages/send.py" line="301"/>
        <source>Coin control is for Bitcoin-like accounts.</source>
        <translation>币控制仅适用于比特币类账户。</translation>
    </message>
    <message>
        <location filename="../pages/send.py" line="310"/>
        <source>items</source>
        <translation>件</translation>
    </message>
    <message numerus="yes">
        <location filename="../pages/send.py" line="346"/>
        <source>You hold %n of this item.</source>
        <translation>
            <numerusform>您持有 %n 件该物品。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../pages/send.py" line="348"/>
        <location filename="../pages/send.py" line="354"/>
        <source>The amount must be more than zero.</source>
        <translation>金额必须大于零。</translation>
    </message>
    <message>
        <location filename="../pages/send.py" line="356"/>
        <source>That is more than the coins chosen.</source>
        <translation>超过了所选币的总额。</translation>
    </message>
    <message>
        <location filename="../pages/send.py" line="359"/>
        <source>That is more than the balance (%1).</source>
        <translation>超出余额（%1）。</translation>
    </message>
    <message numerus="yes">
        <location filename="../pages/send.py" line="425"/>
        <source>%n coin(s) chosen, %1</source>
        <translation>
            <numerusform>已选 %n 个币，共 %1</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../pages/send.py" line="478"/>
        <source>Preparing</source>
        <translation>正在准备</translation>
    </message>
    <message>
        <location filename="../pages/send.py" line="544"/>
        <source>Sending</source>
        <translation>正在发送</translation>
    </message>
    <message>
        <location filename="../pages/send.py" line="559"/>
        <source>See it on the explorer</source>
        <translation>在区块浏览器中查看</translation>
    </message>
    <message>
        <location filename="../pages/send.py" line="561"/>
        <source>No explorer link: %1 has no block explorer.</source>
        <translation>无浏览器链接：%1 没有区块浏览器。</translation>
    </message>
    <message>
        <location filename="../pages/send.py" line="567"/>
        <source>Sent</source>
        <translation>已发送</translation>
    </message>
    <message>
        <location filename="../pages/send.py" line="569"/>
        <source>Transaction id</source>
        <translation>交易 ID</translation>
    </message>
</context>
<context>
    <name>Session</name>
    <message>
        <location filename="../session.py" line="164"/>
        <source>Cancelling</source>
        <translation>正在取消</translation>
    </message>
    <message>
        <location filename="../session.py" line="209"/>
        <source>Syncing</source>
        <translation>正在同步</translation>
    </message>
    <message>
        <location filename="../session.py" line="225"/>
        <source>Live updates are off: %1</source>
        <translation>实时更新已关闭：%1</translation>
    </message>
    <message>
        <location filename="../session.py" line="228"/>
        <source>Live updates on</source>
        <translation>实时更新已开启</translation>
    </message>
    <message>
        <location filename="../session.py" line="241"/>
        <source>Live updates stopped: %1</source>
        <translation>实时更新已停止：%1</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <location filename="../pages/settings.py" line="46"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../pages/settings.py" line="48"/>
        <source>Money</source>
        <translation>资金</translation>
    </message>
    <message>
        <location filename="../pages/settings.py" line="55"/>
        <source>Base currency</source>
        <translation>本位币</translation>
    </message>
    <message>
        <location filename="../pages/settings.py" line="59"/>
        <source>Display and privacy</source>
        <translation>显示与隐私</translation>
    </message>
    <message>
        <location filename="../pages/settings.py" line="64"/>
        <location filename="../pages/settings.py" line="72"/>
        <source>As the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../pages/settings.py" line="73"/>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <location filename="../pages/settings.py" line="74"/>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <location filename="../pages/settings.py" line="80"/>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <location filename="../pages/settings.py" line="81"/>
        <source>never</source>
        <translation>从不</translation>
    </message>
    <message>
        <location filename="../pages/settings.py" line="82"/>
        <source>Hide balances when the wallet opens</source>
        <translation>打开钱包时隐藏余额</translation>
    </message>
    <message>
        <location filename="../pages/settings.py" line="84"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../pages/settings.py" line="85"/>
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <location filename="../pages/settings.py" line="86"/>
        <source>Lock after</source>
        <translation>自动锁定</translation>
    </message>
    <message>
        <location filename="../pages/settings.py" line="88"/>
        <source>A new language shows after the next start.</source>
        <translation>新语言将在下次启动后生效。</translation>
    </message>
    <message>
        <location filename="../pages/settings.py" line="93"/>
        <source>Servers and explorers</source>
        <translation>服务器与浏览器</translation>
    </message>
    <message>
        <location filename="../pages/settings.py" line="96"/>
        <source>Ask new servers before saving them</source>
        <translation>保存前先询问新服务器</translation>
    </message>
    <message>
        <location filename="../pages/settings.py" line="103"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../pages/settings.py" line="156"/>
        <source>explorer API key (set)</source>
        <translation>浏览器 API 密钥（已设置）</translation>
    </message>
    <message>
        <location filename="../pages/settings.py" line="158"/>
        <source>explorer API key (none)</source>
        <translation>浏览器 API 密钥（未设置）</translation>
    </message>
    <message>
        <location filename="../pages/settings.py" line="203"/>
        <source>Nothing was saved: a server did not answer for its network.</source>
        <translation>未保存任何内容：有服务器没有为其网络应答。</translation>
    </message>
    <message>
        <location filename="../pages/settings.py" line="210"/>
        <location filename="../pages/settings.py" line="252"/>
        <source>Nothing was saved: %1</source>
        <translation>未保存任何设置：%1</translation>
    </message>
    <message>
        <location filename="../pages/settings.py" line="215"/>
        <source>Asking the new servers...</source>
        <translation>正在询问新服务器...</translation>
    </message>
    <message>
        <location filename="../pages/settings.py" line="216"/>
        <source>Asking the servers</source>
        <translation>正在询问服务器</translation>
    </message>
    <message>
        <location filename="../pages/settings.py" line="258"/>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
</context>
<context>
    <name>SignerWindow</name>
    <message>
        <location filename="../signer/window.py" line="99"/>
        <source>Coffer offline signer</source>
        <translation>Coffer 离线签名器</translation>
    </message>
    <message>
        <location filename="../signer/window.py" line="111"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../signer/window.py" line="112"/>
        <source>Open wallet</source>
        <translation>打开钱包</translation>
    </message>
    <message>
        <location filename="../signer/window.py" line="115"/>
        <source>Read request (PSBT, QR images)...</source>
        <translation>读取请求（PSBT、二维码图片）...</translation>
    </message>
    <message>
        <location filename="../signer/window.py" line="120"/>
        <source>...or paste a Base64 PSBT or ur: frames</source>
        <translation>...或粘贴 Base64 PSBT 或 ur: 帧</translation>
    </message>
    <message>
        <location filename="../signer/window.py" line="124"/>
        <source>Sign</source>
        <translation>签名</translation>
    </message>
    <message>
        <location filename="../signer/window.py" line="126"/>
        <source>Decline</source>
        <translation>拒绝</translation>
    </message>
    <message>
        <location filename="../signer/window.py" line="130"/>
        <source>Save signed result...</source>
        <translation>保存签名结果...</translation>
    </message>
    <message>
        <location filename="../signer/window.py" line="133"/>
        <source>This window never reaches the network.</source>
        <translation>此窗口从不连接网络。</translation>
    </message>
    <message>
        <location filename="../signer/window.py" line="149"/>
        <source>What the signer read (check it before signing):</source>
        <translation>签名器读到的内容（签名前请核对）：</translation>
    </message>
    <message>
        <location filename="../signer/window.py" line="158"/>
        <source>Opening the wallet...</source>
        <translation>正在打开钱包...</translation>
    </message>
    <message>
        <location filename="../signer/window.py" line="165"/>
        <source>Wallet open. Read a request to sign.</source>
        <translation>钱包已打开。请读取要签名的请求。</translation>
    </message>
    <message>
        <location filename="../signer/window.py" line="170"/>
        <source>Request or QR images</source>
        <translation>请求或二维码图片</translation>
    </message>
    <message>
        <location filename="../signer/window.py" line="181"/>
        <source>Open the wallet first.</source>
        <translation>请先打开钱包。</translation>
    </message>
    <message>
        <location filename="../signer/window.py" line="186"/>
        <source>Reading the request...</source>
        <translation>正在读取请求...</translation>
    </message>
    <message>
        <location filename="../signer/window.py" line="203"/>
        <source>Check every line, then sign or decline.</source>
        <translation>逐行核对，然后签名或拒绝。</translation>
    </message>
    <message>
        <location filename="../signer/window.py" line="213"/>
        <source>Signed. Save the result and carry it back.</source>
        <translation>已签名。保存结果并带回联网的电脑。</translation>
    </message>
    <message>
        <location filename="../signer/window.py" line="222"/>
        <source>Save the signed result</source>
        <translation>保存签名结果</translation>
    </message>
    <message>
        <location filename="../signer/window.py" line="234"/>
        <source>Saved to </source>
        <translation>已保存到 </translation>
    </message>
</context>
<context>
    <name>SigningPage</name>
    <message>
        <location filename="../pages/signing.py" line="124"/>
        <source>Sign elsewhere</source>
        <translation>在别处签名</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="127"/>
        <source>A watch-only account prepares a transaction here; an air-gapped signer or a hardware wallet checks and signs it. Hand it over as a PSBT file or QR codes, then bring the signed one back.</source>
        <translation>观察账户在这里准备交易；由离线签名器或硬件钱包核对并签名。以 PSBT 文件或二维码交出，再把签好的交易带回来。</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="135"/>
        <source>Signers</source>
        <translation>签名器</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="140"/>
        <source>Look for hardware wallets</source>
        <translation>查找硬件钱包</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="146"/>
        <source>1. The transaction</source>
        <translation>1. 交易</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="152"/>
        <source>Open a PSBT…</source>
        <translation>打开 PSBT…</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="160"/>
        <source>2. Hand it to the signer</source>
        <translation>2. 交给签名器</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="166"/>
        <source>Save PSBT file…</source>
        <translation>保存 PSBT 文件…</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="168"/>
        <source>Save animated QR (GIF)…</source>
        <translation>保存动态二维码（GIF）…</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="180"/>
        <source>3. The signed transaction</source>
        <translation>3. 已签名的交易</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="185"/>
        <source>Paste the signed PSBT (Base64) or the texts of its QR codes</source>
        <translation>粘贴已签名的 PSBT（Base64）或其二维码的文本</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="190"/>
        <source>Read what is pasted</source>
        <translation>读取粘贴的内容</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="192"/>
        <source>Open signed PSBT or QR images…</source>
        <translation>打开已签名的 PSBT 或二维码图片…</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="194"/>
        <source>Broadcast</source>
        <translation>广播</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="242"/>
        <source>No transaction yet: prepare one on the Send page and choose “Sign elsewhere”, or open a PSBT.</source>
        <translation>还没有交易：在“发送”页准备一笔并选择“在别处签名”，或打开一个 PSBT。</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="265"/>
        <source>Sign on %1</source>
        <translation>在 %1 上签名</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="276"/>
        <source>This wallet is watch-only: it holds no key, another device signs.</source>
        <translation>此钱包为观察钱包：不持有私钥，由另一台设备签名。</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="280"/>
        <source>This wallet&apos;s own keys sign here; an exported PSBT can go elsewhere too.</source>
        <translation>此钱包自己的私钥在这里签名；导出的 PSBT 也可以拿到别处签名。</translation>
    </message>
    <message numerus="yes">
        <location filename="../pages/signing.py" line="295"/>
        <source>%n QR code(s), shown in turn: scan until the signer has it all.</source>
        <translation>
            <numerusform>%n 个二维码，依次显示：持续扫描，直到签名器收全。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="323"/>
        <source>Open a PSBT</source>
        <translation>打开 PSBT</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="323"/>
        <location filename="../pages/signing.py" line="392"/>
        <source>PSBT or QR images (*)</source>
        <translation>PSBT 或二维码图片 (*)</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="338"/>
        <source>Reading the PSBT</source>
        <translation>正在读取 PSBT</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="345"/>
        <source>Save the PSBT</source>
        <translation>保存 PSBT</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="347"/>
        <source>PSBT, binary (*.psbt);;PSBT, Base64 text (*.txt)</source>
        <translation>PSBT，二进制 (*.psbt);;PSBT，Base64 文本 (*.txt)</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="366"/>
        <location filename="../pages/signing.py" line="384"/>
        <source>Saved to %1.</source>
        <translation>已保存到 %1。</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="370"/>
        <source>Save the animated QR code</source>
        <translation>保存动态二维码</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="386"/>
        <source>Writing the QR codes</source>
        <translation>正在写入二维码</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="392"/>
        <source>Open the signed PSBT</source>
        <translation>打开已签名的 PSBT</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="416"/>
        <source>Signed and complete. Transaction id:</source>
        <translation>签名完整。交易 ID：</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="410"/>
        <source>Checking the signed PSBT</source>
        <translation>正在检查已签名的 PSBT</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="431"/>
        <source>See it on the explorer</source>
        <translation>在区块浏览器中查看</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="436"/>
        <source>Sent. Transaction id:</source>
        <translation>已发送。交易 ID：</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="444"/>
        <source>Broadcasting</source>
        <translation>正在广播</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="474"/>
        <source>Signed on %1.</source>
        <translation>已在 %1 上签名。</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="480"/>
        <source>Save the PSBT (it carries this signature) for the other cosigners, then read their signed PSBTs here.</source>
        <translation>保存 PSBT（其中带有此签名）交给其他共同签名人，然后在此读取他们签好的 PSBT。</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="490"/>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="498"/>
        <source>Signing on %1</source>
        <translation>正在 %1 上签名</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="513"/>
        <source>No hardware wallet is connected.</source>
        <translation>没有连接硬件钱包。</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="523"/>
        <source>Hardware wallets: %1</source>
        <translation>硬件钱包：%1</translation>
    </message>
    <message>
        <location filename="../pages/signing.py" line="530"/>
        <source>Looking for hardware wallets</source>
        <translation>正在查找硬件钱包</translation>
    </message>
</context>
<context>
    <name>Status</name>
    <message>
        <location filename="../texts.py" line="12"/>
        <source>pending</source>
        <translation>待确认</translation>
    </message>
    <message>
        <location filename="../texts.py" line="13"/>
        <source>confirmed</source>
        <translation>已确认</translation>
    </message>
    <message>
        <location filename="../texts.py" line="14"/>
        <source>replaced</source>
        <translation>已替换</translation>
    </message>
    <message>
        <location filename="../texts.py" line="15"/>
        <source>dropped</source>
        <translation>已丢弃</translation>
    </message>
    <message>
        <location filename="../texts.py" line="16"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
</context>
<context>
    <name>TransactionDialog</name>
    <message>
        <location filename="../pages/transaction.py" line="61"/>
        <source>Transaction</source>
        <translation>交易</translation>
    </message>
    <message>
        <location filename="../pages/transaction.py" line="65"/>
        <location filename="../pages/transaction.py" line="94"/>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <location filename="../pages/transaction.py" line="73"/>
        <source>Transaction id</source>
        <translation>交易 ID</translation>
    </message>
    <message>
        <location filename="../pages/transaction.py" line="74"/>
        <source>Network</source>
        <translation>网络</translation>
    </message>
    <message>
        <location filename="../pages/transaction.py" line="75"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../pages/transaction.py" line="76"/>
        <source>Confirmations</source>
        <translation>确认数</translation>
    </message>
    <message>
        <location filename="../pages/transaction.py" line="77"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../pages/transaction.py" line="79"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../pages/transaction.py" line="82"/>
        <source>Fee paid</source>
        <translation>已付手续费</translation>
    </message>
    <message>
        <location filename="../pages/transaction.py" line="85"/>
        <source>Value then</source>
        <translation>当时价值</translation>
    </message>
    <message>
        <location filename="../pages/transaction.py" line="86"/>
        <source>Value now</source>
        <translation>现在价值</translation>
    </message>
    <message>
        <location filename="../pages/transaction.py" line="87"/>
        <source>Ask the price providers</source>
        <translation>向价格提供方查询</translation>
    </message>
    <message>
        <location filename="../pages/transaction.py" line="90"/>
        <source>The providers learn which day and asset you ask about.</source>
        <translation>价格提供方会得知您查询的日期和资产。</translation>
    </message>
    <message>
        <location filename="../pages/transaction.py" line="96"/>
        <source>Other side</source>
        <translation>对方</translation>
    </message>
    <message>
        <location filename="../pages/transaction.py" line="97"/>
        <source>Label</source>
        <translation>标签</translation>
    </message>
    <message>
        <location filename="../pages/transaction.py" line="97"/>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <location filename="../pages/transaction.py" line="108"/>
        <source>Replace</source>
        <translation>替换</translation>
    </message>
    <message>
        <location filename="../pages/transaction.py" line="117"/>
        <source>Asking for prices...</source>
        <translation>正在查询价格...</translation>
    </message>
    <message>
        <location filename="../pages/transaction.py" line="152"/>
        <location filename="../pages/transaction.py" line="163"/>
        <source>unknown: %1</source>
        <translation>未知：%1</translation>
    </message>
    <message>
        <location filename="../pages/transaction.py" line="154"/>
        <source>Prices</source>
        <translation>价格</translation>
    </message>
    <message>
        <location filename="../pages/transaction.py" line="167"/>
        <source>1 %1 = %2 (the day&apos;s close), from %3 at %4</source>
        <translation>1 %1 = %2（当日收盘价），来自 %3，时间 %4</translation>
    </message>
    <message>
        <location filename="../pages/transaction.py" line="169"/>
        <source>1 %1 = %2, from %3 at %4</source>
        <translation>1 %1 = %2，来自 %3，时间 %4</translation>
    </message>
</context>
<context>
    <name>ValueField</name>
    <message>
        <location filename="../pages/send_form.py" line="214"/>
        <source>Price unknown: %1</source>
        <translation>价格未知：%1</translation>
    </message>
    <message>
        <location filename="../pages/send_form.py" line="227"/>
        <source>collectibles are not priced</source>
        <translation>收藏品没有价格</translation>
    </message>
    <message>
        <location filename="../pages/send_form.py" line="233"/>
        <source>Asking for the price...</source>
        <translation>正在获取价格…</translation>
    </message>
    <message>
        <location filename="../pages/send_form.py" line="247"/>
        <source>no balance of it as of the last sync</source>
        <translation>截至上次同步没有该资产的余额</translation>
    </message>
    <message>
        <location filename="../pages/send_form.py" line="258"/>
        <source>Prices</source>
        <translation>价格</translation>
    </message>
    <message>
        <location filename="../pages/send_form.py" line="266"/>
        <source>1 %1 = %2 %3, from %4 at %5</source>
        <translation>1 %1 = %2 %3，来源 %4，时间 %5</translation>
    </message>
    <message>
        <location filename="../pages/send_form.py" line="274"/>
        <source>(offline: the last known price)</source>
        <translation>（离线：最后已知价格）</translation>
    </message>
</context>
<context>
    <name>WalletFields</name>
    <message>
        <location filename="../pages/wallet_fields.py" line="77"/>
        <source>Browse...</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../pages/wallet_fields.py" line="80"/>
        <source>New wallet file</source>
        <translation>新钱包文件</translation>
    </message>
</context>
</TS>
