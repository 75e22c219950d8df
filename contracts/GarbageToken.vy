# pragma version ~=0.4.3
"""
@title A garbage token: decimals() answers a number no token has
@notice For tests: decimals() returns 2**256-1, which does not fit the uint8 of EIP-20.
"""

name: public(String[64])
symbol: public(String[32])
balanceOf: public(HashMap[address, uint256])


@deploy
def __init__():
    self.name = "Garbage"
    self.symbol = "GRB"


@view
@external
def decimals() -> uint256:
    return max_value(uint256)
