# pragma version ~=0.4.3
"""
@title Coffer test collectible
@notice An ERC-721 token (EIP-721) whose tokenURI is set at mint, typically a data: URI.
"""

event Transfer:
    sender: indexed(address)
    receiver: indexed(address)
    token_id: indexed(uint256)

event Approval:
    owner: indexed(address)
    approved: indexed(address)
    token_id: indexed(uint256)

event ApprovalForAll:
    owner: indexed(address)
    operator: indexed(address)
    approved: bool

name: public(String[64])
symbol: public(String[32])
ownerOf: public(HashMap[uint256, address])
balanceOf: public(HashMap[address, uint256])
minter: public(address)
uris: HashMap[uint256, String[2048]]
getApproved: public(HashMap[uint256, address])
isApprovedForAll: public(HashMap[address, HashMap[address, bool]])


@deploy
def __init__(_name: String[64], _symbol: String[32]):
    self.name = _name
    self.symbol = _symbol
    self.minter = msg.sender


@view
@external
def supportsInterface(interface_id: bytes4) -> bool:
    return interface_id in [0x01ffc9a7, 0x80ac58cd, 0x5b5e139f]


@view
@external
def tokenURI(token_id: uint256) -> String[2048]:
    assert self.ownerOf[token_id] != empty(address), "no such token"
    return self.uris[token_id]


@internal
def _transfer(_from: address, _to: address, token_id: uint256):
    assert self.ownerOf[token_id] == _from, "not the owner"
    assert (
        msg.sender == _from
        or msg.sender == self.getApproved[token_id]
        or self.isApprovedForAll[_from][msg.sender]
    ), "not allowed"
    assert _to != empty(address), "no burning"
    self.ownerOf[token_id] = _to
    self.getApproved[token_id] = empty(address)
    self.balanceOf[_from] -= 1
    self.balanceOf[_to] += 1
    log Transfer(sender=_from, receiver=_to, token_id=token_id)


@external
def transferFrom(_from: address, _to: address, token_id: uint256):
    self._transfer(_from, _to, token_id)


@external
def safeTransferFrom(_from: address, _to: address, token_id: uint256, data: Bytes[1024] = b""):
    # A full implementation also calls onERC721Received when _to is a contract (EIP-721);
    # the test collectible only ever sends to externally owned accounts.
    self._transfer(_from, _to, token_id)


@external
def approve(_approved: address, token_id: uint256):
    owner: address = self.ownerOf[token_id]
    assert msg.sender == owner or self.isApprovedForAll[owner][msg.sender], "not allowed"
    self.getApproved[token_id] = _approved
    log Approval(owner=owner, approved=_approved, token_id=token_id)


@external
def setApprovalForAll(_operator: address, _approved: bool):
    self.isApprovedForAll[msg.sender][_operator] = _approved
    log ApprovalForAll(owner=msg.sender, operator=_operator, approved=_approved)


@external
def mint(_to: address, token_id: uint256, uri: String[2048]):
    assert msg.sender == self.minter, "only the minter mints"
    assert self.ownerOf[token_id] == empty(address), "already minted"
    self.ownerOf[token_id] = _to
    self.balanceOf[_to] += 1
    self.uris[token_id] = uri
    log Transfer(sender=empty(address), receiver=_to, token_id=token_id)
