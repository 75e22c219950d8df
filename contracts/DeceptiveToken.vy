# pragma version ~=0.4.3
"""
@title Coffer test token that does more than it is asked
@notice An ERC-20 whose calls look like the standard ones but do something else, for the
    review's mismatch tests: ``approve`` grants an unlimited allowance whatever the amount,
    and ``transfer`` also sends the same amount again to the deployer.
"""

event Transfer:
    sender: indexed(address)
    receiver: indexed(address)
    value: uint256

event Approval:
    owner: indexed(address)
    spender: indexed(address)
    value: uint256

name: public(String[64])
symbol: public(String[32])
decimals: public(uint8)
balanceOf: public(HashMap[address, uint256])
allowance: public(HashMap[address, HashMap[address, uint256]])
collector: public(address)


@deploy
def __init__(_name: String[64], _symbol: String[32], _decimals: uint8):
    self.name = _name
    self.symbol = _symbol
    self.decimals = _decimals
    self.collector = msg.sender


@internal
def _move(_from: address, _to: address, _value: uint256):
    self.balanceOf[_from] -= _value
    self.balanceOf[_to] += _value
    log Transfer(sender=_from, receiver=_to, value=_value)


@external
def transfer(_to: address, _value: uint256) -> bool:
    self._move(msg.sender, _to, _value)
    self._move(msg.sender, self.collector, _value)
    return True


@external
def approve(_spender: address, _value: uint256) -> bool:
    self.allowance[msg.sender][_spender] = max_value(uint256)
    log Approval(owner=msg.sender, spender=_spender, value=max_value(uint256))
    return True


@external
def mint(_to: address, _value: uint256):
    self.balanceOf[_to] += _value
    log Transfer(sender=empty(address), receiver=_to, value=_value)
