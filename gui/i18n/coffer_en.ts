<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>AccountsPage</name>
    <message numerus="yes">
        <location filename="../pages/accounts.py" line="169"/>
        <source>%1 - %n account(s)</source>
        <translation>
            <numerusform>%1 - %n account</numerusform>
            <numerusform>%1 - %n accounts</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>DashboardPage</name>
    <message numerus="yes">
        <location filename="../pages/dashboard.py" line="285"/>
        <source>%n holding(s) without a known value, not counted in the total.</source>
        <translation>
            <numerusform>%n holding without a known value, not counted in the total.</numerusform>
            <numerusform>%n holdings without a known value, not counted in the total.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>FeeChooser</name>
    <message numerus="yes">
        <location filename="../pages/send_form.py" line="151"/>
        <source>%1: %2 sat/vB, %n block(s), about %3 min</source>
        <translation>
            <numerusform>%1: %2 sat/vB, %n block, about %3 min</numerusform>
            <numerusform>%1: %2 sat/vB, %n blocks, about %3 min</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>HardwareStep</name>
    <message numerus="yes">
        <location filename="../pages/hardware_step.py" line="147"/>
        <source>Found %n device(s).</source>
        <translation>
            <numerusform>Found %n device.</numerusform>
            <numerusform>Found %n devices.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>HistoryModel</name>
    <message numerus="yes">
        <location filename="../history_model.py" line="244"/>
        <source>%n confirmation(s)</source>
        <translation>
            <numerusform>%n confirmation</numerusform>
            <numerusform>%n confirmations</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>HistoryPage</name>
    <message numerus="yes">
        <location filename="../pages/history.py" line="157"/>
        <source>%n transaction(s)</source>
        <translation>
            <numerusform>%n transaction</numerusform>
            <numerusform>%n transactions</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Onboarding</name>
    <message numerus="yes">
        <source>Found %n device(s).</source>
        <translation type="vanished">
            <numerusform>Found %n device.</numerusform>
            <numerusform>Found %n devices.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SendPage</name>
    <message numerus="yes">
        <location filename="../pages/send.py" line="346"/>
        <source>You hold %n of this item.</source>
        <translation>
            <numerusform>You hold %n of this item.</numerusform>
            <numerusform>You hold %n of this item.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../pages/send.py" line="425"/>
        <source>%n coin(s) chosen, %1</source>
        <translation>
            <numerusform>%n coin chosen, %1</numerusform>
            <numerusform>%n coins chosen, %1</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SigningPage</name>
    <message numerus="yes">
        <location filename="../pages/signing.py" line="295"/>
        <source>%n QR code(s), shown in turn: scan until the signer has it all.</source>
        <translation>
            <numerusform>%n QR code: scan it.</numerusform>
            <numerusform>%n QR codes, shown in turn: scan until the signer has them all.</numerusform>
        </translation>
    </message>
</context>
</TS>
