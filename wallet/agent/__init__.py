"""The unlock agent: keep a wallet unlocked for a while, as ssh-agent keeps keys.

```python
from wallet.agent import open_with_agent, parse_duration, unlock, lock

unlock(path, password, parse_duration("15m"))   # one KDF run; a background agent holds the keys
w = open_with_agent(path)                        # a Wallet, no password; None when no agent runs
lock(path)                                       # the agent wipes the keys and ends
```

See ``docs/adr/0007-unlock-agent.md``.
"""

from wallet.agent.client import (
    DEFAULT_LIFETIME,
    MAX_LIFETIME_SECONDS,
    AgentInfo,
    agent_status,
    lock,
    open_with_agent,
    parse_duration,
    unlock,
)
from wallet.agent.paths import runtime_folder, socket_path

__all__ = [
    "DEFAULT_LIFETIME",
    "MAX_LIFETIME_SECONDS",
    "AgentInfo",
    "agent_status",
    "lock",
    "open_with_agent",
    "parse_duration",
    "runtime_folder",
    "socket_path",
    "unlock",
]
