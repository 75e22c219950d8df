"""The dashboard: what the wallet is worth in the base currency, and where it is.

The total and its 24-hour change, the allocation, the value over time, and every holding
grouped, each value with its rate's source and time.

Everything comes from ``Wallet.portfolio`` and ``Wallet.net_worth`` (run off the GUI thread: they
may fetch prices). A value that is not known is shown as unknown with the reason, never as zero;
the chart's last point is the total shown, so the total, the sum of the rows and the chart agree
to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gui.charts import AllocationChart, Slice, ValueChart
from gui.models import TitledTable
from gui.privacy import Privacy
from gui.session import Session
from wallet.errors import WalletError
from wallet.money import HoldingKind, Money, NetWorthSeries, Portfolio, PortfolioRow

__all__ = ["DashboardPage", "HoldingsModel", "group_of"]

_Index = QModelIndex | QPersistentModelIndex
_GROUPS = (
    QT_TRANSLATE_NOOP("Dashboard", "Coins"),
    QT_TRANSLATE_NOOP("Dashboard", "Tokens"),
    QT_TRANSLATE_NOOP("Dashboard", "Collectibles and tickets"),
    QT_TRANSLATE_NOOP("Dashboard", "Fiat accounts"),
    QT_TRANSLATE_NOOP("Dashboard", "Points"),
)
_GROUP_OF = {
    HoldingKind.COIN: 0,
    HoldingKind.TOKEN: 1,
    HoldingKind.FIAT: 3,
    HoldingKind.POINTS: 4,
}


def group_of(row: PortfolioRow) -> str:
    """Return the group a holding is listed under (untranslated)."""
    return _GROUPS[_GROUP_OF.get(row.holding.kind, 2)]


def money_text(amount: Decimal, code: str) -> str:
    """Return an amount of a fiat currency as the interface's locale writes it."""
    return Money.of(amount, code).format(QLocale().name())


@dataclass(frozen=True, slots=True)
class _Line:
    """A row of the holdings table: a group heading, or a holding."""

    heading: str = ""
    row: PortfolioRow | None = None


class HoldingsModel(TitledTable):
    """Holdings grouped (coins by network, tokens, collectibles and tickets, fiat, points)."""

    HEADERS = (
        QT_TRANSLATE_NOOP("Dashboard", "Asset"),
        QT_TRANSLATE_NOOP("Dashboard", "Where"),
        QT_TRANSLATE_NOOP("Dashboard", "Amount"),
        QT_TRANSLATE_NOOP("Dashboard", "Price"),
        QT_TRANSLATE_NOOP("Dashboard", "Value"),
        QT_TRANSLATE_NOOP("Dashboard", "24 h"),
    )
    CONTEXT = "Dashboard"

    def __init__(self, privacy: Privacy, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._privacy = privacy
        self._lines: list[_Line] = []
        self._base = ""
        privacy.changed.connect(self._masked)

    def set_portfolio(self, portfolio: Portfolio | None) -> None:
        """Show a portfolio's rows under their group headings (coins sorted by network)."""
        self.beginResetModel()
        self._lines = []
        if portfolio is not None:
            self._base = portfolio.base
            for index, title in enumerate(_GROUPS):
                rows = [r for r in portfolio.rows if _GROUP_OF.get(r.holding.kind, 2) == index]
                if not rows:
                    continue
                rows.sort(key=lambda r: (r.holding.network or "", r.holding.symbol))
                self._lines.append(_Line(heading=title))
                self._lines.extend(_Line(row=r) for r in rows)
        self.endResetModel()

    def row_count(self) -> int:
        """Return the number of lines (headings included)."""
        return len(self._lines)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Return a cell's text; amounts are the mask while hidden, unknowns say why."""
        if not index.isValid():
            return None
        line = self._lines[index.row()]
        column = index.column()
        if line.row is None:
            if role == Qt.ItemDataRole.DisplayRole and column == 0:
                return QCoreApplication.translate("Dashboard", line.heading)
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            return None
        row = line.row
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._source(row)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        holding = row.holding
        if column == 0:
            return holding.symbol
        if column == 1:
            return holding.account
        if column == 2:
            if holding.amount is None:
                return QCoreApplication.translate("Dashboard", "unknown")
            if holding.kind is HoldingKind.FIAT:  # a currency's minor units: 2,407.90 EUR
                return self._privacy.amount(money_text(holding.amount, holding.symbol))
            return self._privacy.amount(f"{holding.amount.normalize():f}")
        if column == 3:
            if row.price is None:
                return QCoreApplication.translate("Dashboard", "unknown")
            if holding.kind is HoldingKind.FIAT:  # an exchange rate: four decimals, as the ECB
                return f"{row.price:.4f}"
            return money_text(row.price, self._base) if row.price >= 1 else f"{row.price:f}"
        if column == 4:
            if row.value is None:
                return QCoreApplication.translate("Dashboard", "unknown: %1").replace(
                    "%1", row.unknown_reason
                )
            return self._privacy.amount(money_text(row.value, self._base))
        if row.change_24h is None:
            return ""
        return f"{row.change_24h:+.2f}%"

    def _source(self, row: PortfolioRow) -> str:
        if row.value is None:
            return row.unknown_reason
        when = "" if row.as_of is None else row.as_of.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        text = QCoreApplication.translate("Dashboard", "Rate from %1 at %2").replace(
            "%1", row.source
        )
        text = text.replace("%2", when)
        if row.offline:
            text += " " + QCoreApplication.translate("Dashboard", "(offline: last known rate)")
        return text

    def _masked(self, _hidden: bool) -> None:
        if self._lines:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._lines) - 1, 5))


class DashboardPage(QWidget):
    """What the wallet is worth in the base currency, and where it is."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.portfolio: Portfolio | None = None
        self._asked = 0  # reloads asked for; a result of an older one is dropped
        self._shown = 0
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.total = QLabel("")
        self.total.setObjectName("total")
        self.change = QLabel("")
        self.change.setObjectName("change24h")
        self.refresh_button = QPushButton(self.tr("Refresh prices"))
        self.refresh_button.setObjectName("refreshPrices")
        self.refresh_button.clicked.connect(lambda: self.reload(refresh=True))
        top.addWidget(self.total)
        top.addWidget(self.change)
        top.addStretch()
        top.addWidget(self.refresh_button)
        layout.addLayout(top)
        self.note = QLabel("")
        self.note.setObjectName("dashboardNote")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        charts = QHBoxLayout()
        self.allocation = AllocationChart(session.privacy)
        self.allocation.setObjectName("allocation")
        self.value_chart = ValueChart(session.privacy)
        self.value_chart.setObjectName("valueChart")
        charts.addWidget(self.allocation, 1)
        charts.addWidget(self.value_chart, 1)
        layout.addLayout(charts)
        self.model = HoldingsModel(session.privacy, self)
        self.table = QTableView()
        self.table.setObjectName("holdings")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        session.opened.connect(lambda: self.reload(refresh=False))
        session.synced.connect(lambda _changes: self.reload(refresh=False))
        session.locked.connect(self._locked)
        session.privacy.changed.connect(lambda _hidden: self._show_total())

    def reload(self, refresh: bool = False) -> None:
        """Value the portfolio and its history off the GUI thread, then show them."""
        wallet = self.session.require()
        self._asked += 1
        ticket = self._asked

        def work() -> tuple[int, Portfolio, NetWorthSeries | None, str]:
            portfolio = wallet.portfolio(refresh=refresh, online=refresh)
            try:
                series: NetWorthSeries | None = wallet.net_worth(online=refresh)
                error = ""
            except WalletError as err:  # shown as the chart's reason
                series, error = None, str(err)
            return ticket, portfolio, series, error

        self.refresh_button.setEnabled(False)
        self.session.run(
            work,
            self._show,
            self._failed,
            self.tr("Refreshing prices") if refresh else self.tr("Valuing"),
            # Asking the price servers can take long: Cancel stops waiting for them.
            on_cancelled=(
                (lambda: self._failed(self.tr("Cancelled: the values shown are from before.")))
                if refresh
                else None
            ),
        )

    def _failed(self, message: str) -> None:
        self._shown = self._asked
        self.refresh_button.setEnabled(True)
        self.note.setText(message)

    @property
    def loading(self) -> bool:
        """Return whether a reload is still running."""
        return self._shown != self._asked

    def _show(self, result: tuple[int, Portfolio, NetWorthSeries | None, str]) -> None:
        ticket, portfolio, series, error = result
        if ticket != self._asked or self.session.wallet is None:
            return  # an older reload, or the wallet locked meanwhile
        self._shown = ticket
        self.refresh_button.setEnabled(True)
        self.portfolio = portfolio
        self.model.set_portfolio(portfolio)
        self._show_total()
        unknown = portfolio.unknown
        notes = []
        if unknown:
            notes.append(
                self.tr(
                    "%n holding(s) without a known value, not counted in the total.", "", unknown
                )
            )
        samples = {r.source for r in portfolio.rows if r.source == "sample"}
        if samples:
            notes.append(
                self.tr("Prices marked 'sample' are bundled sample data, not market prices.")
            )
        self.note.setText(" ".join(notes))
        slices = [
            Slice(a.key, money_text(a.value, portfolio.base), a.share) for a in portfolio.by_asset
        ]
        self.allocation.set_slices(slices, self.tr("Nothing valued yet"))
        points: list[tuple[date, Decimal]] = []
        if series is not None:
            points = [(p.day, p.value) for p in series.points]
        today = datetime.now(UTC).date()
        points = [p for p in points if p[0] < today] + [(today, portfolio.total)]
        values = [v for _, v in points]
        low_high = (
            money_text(min(values), portfolio.base),
            money_text(max(values), portfolio.base),
        )
        self.value_chart.set_points(
            points, low_high, error or self.tr("Not enough history for a chart yet")
        )

    def _show_total(self) -> None:
        portfolio = self.portfolio
        if portfolio is None:
            self.total.clear()
            self.change.clear()
            return
        mask = self.session.privacy.amount
        self.total.setText(f"<h1>{mask(money_text(portfolio.total, portfolio.base))}</h1>")
        if portfolio.change_24h_pct is None:
            self.change.setText(self.tr("24 h: unknown"))
        else:
            change = mask(money_text(portfolio.change_24h, portfolio.base))
            self.change.setText(f"24 h: {change} ({portfolio.change_24h_pct:+.2f}%)")

    def _locked(self) -> None:
        self.portfolio = None
        self.model.set_portfolio(None)
        self.allocation.set_slices([])
        self.value_chart.set_points([], ("", ""))
        self.total.clear()
        self.change.clear()
        self.note.clear()
