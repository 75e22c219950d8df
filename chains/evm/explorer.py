"""Transfer history from an Etherscan-compatible explorer API, for public networks.

``ExplorerClient`` reads ``txlist``, ``tokentx``, ``tokennfttx`` and ``token1155tx`` (Etherscan
API v2, "Accounts" module) into the ``TransferRecord`` values of ``chains.evm.history``,
incrementally from a block cursor. The API key is a credential: it never shows in a repr, a
log or an error message.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import urlencode, urlsplit

from chains.errors import AddressError, BackendProtocolError, BackendUnavailable, Unsupported
from chains.evm import _parse as p
from chains.evm.backend import JsonValue, TxHash
from chains.evm.errors import InvalidTxHash
from chains.evm.history import HistoryPage, TransferKind, TransferRecord
from chains.registry import EvmNetwork

__all__ = ["ExplorerClient", "ExplorerError", "ExplorerRateLimited"]


class ExplorerError(BackendProtocolError):
    """The explorer refused a request (a bad API key, bad parameters) or answered garbage."""


class ExplorerRateLimited(BackendUnavailable):
    """The explorer's rate limit was reached; try again later or set an API key."""


_NO_RESULTS = ("no transactions found", "no records found", "no token transfers found")
_MAX_WINDOW = 10_000  # Etherscan answers at most page * offset <= 10,000 rows per query
_ACTIONS = (
    ("txlist", TransferKind.NATIVE),
    ("tokentx", TransferKind.ERC20),
    ("tokennfttx", TransferKind.ERC721),
    ("token1155tx", TransferKind.ERC1155),
)


class ExplorerClient:
    """A client of an Etherscan-compatible API (Etherscan API v2, "Accounts" module).

    Args:
        network: the network; its ``explorer_api`` and chain id are used.
        api_key: the user's API key from settings, or ``None``.
        base_url: an endpoint replacing the network's (a self-hosted or compatible explorer).
        timeout: seconds per request.
        page_size: rows per request (Etherscan's ``offset``).

    Raises:
        Unsupported: the network has no explorer API and no ``base_url`` was given.
    """

    def __init__(
        self,
        network: EvmNetwork,
        api_key: str | None,
        *,
        base_url: str | None = None,
        timeout: float = 15.0,
        page_size: int = 1000,
    ) -> None:
        url = base_url or network.explorer_api
        if url is None:
            raise Unsupported(f"{network.title} has no explorer API; history needs a scan.")
        if urlsplit(url).scheme not in ("http", "https"):
            raise ValueError("an explorer API URL is http or https")
        self._url = url
        self._network = network
        self._key = api_key
        self._timeout = timeout
        self._page = page_size
        parts = urlsplit(url)
        self.server = f"{parts.scheme}://{parts.hostname}" + (
            f":{parts.port}" if parts.port else ""
        )

    def __repr__(self) -> str:
        # The API key is a credential: never in a repr.
        return f"ExplorerClient({self._network.name!r}, server={self.server!r})"

    def _redact(self, text: str) -> str:
        return text.replace(self._key, "***") if self._key else text

    def _get(self, action: str, address: str, start: int, page: int) -> list[dict[str, JsonValue]]:
        params = {
            "chainid": str(self._network.chain_id),
            "module": "account",
            "action": action,
            "address": address,
            "startblock": str(start),
            "endblock": "999999999",
            "page": str(page),
            "offset": str(self._page),
            "sort": "asc",
        }
        if self._key:
            params["apikey"] = self._key
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            f"{self._url}?{urlencode(params)}", headers={"Accept": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as resp:  # noqa: S310
                body = resp.read()
        except urllib.error.HTTPError as e:
            if e.code == 429:
                raise ExplorerRateLimited(
                    f"The explorer {self.server} asks to slow down (HTTP 429).", self.server
                ) from None
            raise BackendUnavailable(
                f"The explorer {self.server} answered HTTP {e.code}.", self.server
            ) from None
        except (urllib.error.URLError, TimeoutError, OSError) as e:
            # ``from None``: the URL in the original error carries the API key.
            raise BackendUnavailable(
                f"The explorer {self.server} cannot be reached ({type(e).__name__}).",
                self.server,
            ) from None
        doc = p.loads(body, self.server)
        if not isinstance(doc, dict):
            raise ExplorerError(f"The explorer {self.server} answered malformed data.", self.server)
        result = doc.get("result")
        if doc.get("status") == "1" and isinstance(result, list):
            return [r for r in result if isinstance(r, dict)]
        message = str(doc.get("message", ""))
        detail = self._redact(str(result))[:200] if isinstance(result, str) else ""
        if isinstance(result, list) and message.lower().startswith(_NO_RESULTS):
            return []
        if "rate limit" in f"{message} {detail}".lower():
            raise ExplorerRateLimited(
                f"The explorer {self.server} rate limit was reached: {detail}", self.server
            )
        raise ExplorerError(
            f"The explorer {self.server} refused the request: {self._redact(message)[:100]}"
            + (f" ({detail})" if detail else "")
            + ".",
            self.server,
        )

    def _rows(self, action: str, address: str, start: int) -> list[dict[str, JsonValue]]:
        rows: list[dict[str, JsonValue]] = []
        page = 1
        for _ in range(1000):  # a hard stop against an explorer that never ends a list
            got = self._get(action, address, start, page)
            rows.extend(got)
            if len(got) < self._page:
                return rows
            if page * self._page >= _MAX_WINDOW:
                # Move the window: restart at the last block seen (re-read, deduplicated).
                start = _int(got[-1].get("blockNumber"), self.server)
                page = 1
            else:
                page += 1
        return rows

    def history(self, address: str, start_block: int = 0) -> HistoryPage:
        """Fetch an account's transfers from ``start_block`` on.

        Returns:
            The records in chain order, deduplicated; ``next_block`` is the highest block
            seen (read again next time: the explorer may not have all of its transfers yet).

        Raises:
            MalformedAddress: the address is not an EVM address.
            ExplorerRateLimited: the explorer's rate limit was reached.
            ExplorerError: the explorer refused the request or answered garbage.
            BackendUnavailable: the explorer cannot be reached.
        """
        acct = p.check_address(address)
        records: dict[tuple[str, str, int, str, int, str, str, int], TransferRecord] = {}
        for action, kind in _ACTIONS:
            for row in self._rows(action, acct.lower(), start_block):
                try:
                    record = self._record(kind, row, acct)
                except (AddressError, InvalidTxHash) as e:
                    raise ExplorerError(
                        f"The explorer {self.server} answered a malformed address or hash.",
                        self.server,
                    ) from e
                records.setdefault(record.key, record)
        ordered = sorted(
            records.values(),
            key=lambda r: (r.block_number, -1 if r.log_index is None else r.log_index),
        )
        last = max((r.block_number for r in ordered), default=start_block)
        return HistoryPage(tuple(ordered), max(last, start_block))

    def _record(self, kind: TransferKind, row: dict[str, JsonValue], acct: str) -> TransferRecord:
        s = self.server
        sender = p.check_address(str(row.get("from")))
        to_text = row.get("to")
        recipient = p.check_address(str(to_text)) if to_text else None
        log_index = _int(row["logIndex"], s) if row.get("logIndex") not in (None, "") else None
        contract: str | None = None
        token_id: int | None = None
        success, fee = True, None
        if kind is TransferKind.NATIVE:
            amount = _int(row.get("value"), s)
            success = str(row.get("isError", "0")) == "0"
            if sender == acct:
                fee = _int(row.get("gasUsed"), s) * _int(row.get("gasPrice"), s)
            log_index = None
        else:
            contract = p.check_address(str(row.get("contractAddress")))
            if kind is TransferKind.ERC20:
                amount = _int(row.get("value"), s)
            elif kind is TransferKind.ERC721:
                amount, token_id = 1, _int(row.get("tokenID"), s)
            else:
                amount, token_id = _int(row.get("tokenValue"), s), _int(row.get("tokenID"), s)
        return TransferRecord(
            kind=kind,
            tx_hash=TxHash(p.check_hash(str(row.get("hash")))),
            block_number=_int(row.get("blockNumber"), s),
            timestamp=_int(row.get("timeStamp"), s),
            sender=sender,
            recipient=recipient,
            amount=amount,
            contract=contract,
            token_id=token_id,
            log_index=log_index,
            success=success,
            fee=fee,
        )


def _int(value: object, server: str) -> int:
    """Parse an explorer's decimal string (or a hex quantity) as a non-negative int."""
    if isinstance(value, str):
        text = value.strip()
        try:
            number = int(text, 16) if text.startswith("0x") else int(text, 10)
        except ValueError:
            number = -1
        if number >= 0:
            return number
    raise ExplorerError(f"The explorer {server} answered a malformed number.", server)
