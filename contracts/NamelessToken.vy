# pragma version ~=0.4.3
"""
@title A token without name()
@notice For tests: EIP-20 makes name() optional, so a token may lack it and still be a token.
"""

event Transfer:
    sender: indexed(address)
    receiver: indexed(address)
    value: uint256

symbol: public(String[32])
decimals: public(uint8)
balanceOf: public(HashMap[address, uint256])


@deploy
def __init__():
    self.symbol = "ANON"
    self.decimals = 2
    self.balanceOf[msg.sender] = 10000
    log Transfer(sender=empty(address), receiver=msg.sender, value=10000)


@external
def transfer(_to: address, _value: uint256) -> bool:
    self.balanceOf[msg.sender] -= _value
    self.balanceOf[_to] += _value
    log Transfer(sender=msg.sender, receiver=_to, value=_value)
    return True
