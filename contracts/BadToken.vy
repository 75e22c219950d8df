# pragma version ~=0.4.3
"""
@title A broken token: decimals() reverts
@notice For tests: a custom token must be refused with a typed error, not a crash.
"""

name: public(String[64])
symbol: public(String[32])
balanceOf: public(HashMap[address, uint256])


@deploy
def __init__():
    self.name = "Broken"
    self.symbol = "BRK"


@view
@external
def decimals() -> uint8:
    raise "no decimals here"
