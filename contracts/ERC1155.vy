# pragma version ~=0.4.3
"""
@title Coffer test tickets
@notice An ERC-1155 multi-token (EIP-1155) with per-id URIs set at mint.
"""

event TransferSingle:
    operator: indexed(address)
    sender: indexed(address)
    receiver: indexed(address)
    token_id: uint256
    amount: uint256

event TransferBatch:
    operator: indexed(address)
    sender: indexed(address)
    receiver: indexed(address)
    token_ids: DynArray[uint256, 64]
    amounts: DynArray[uint256, 64]

balanceOf: public(HashMap[address, HashMap[uint256, uint256]])
minter: public(address)
uris: HashMap[uint256, String[2048]]


@deploy
def __init__():
    self.minter = msg.sender


@view
@external
def supportsInterface(interface_id: bytes4) -> bool:
    return interface_id in [0x01ffc9a7, 0xd9b67a26, 0x0e89341c]


@view
@external
def uri(token_id: uint256) -> String[2048]:
    return self.uris[token_id]


@external
def safeTransferFrom(
    _from: address, _to: address, token_id: uint256, amount: uint256, data: Bytes[1024]
):
    assert msg.sender == _from, "not allowed"
    self.balanceOf[_from][token_id] -= amount
    self.balanceOf[_to][token_id] += amount
    log TransferSingle(
        operator=msg.sender, sender=_from, receiver=_to, token_id=token_id, amount=amount
    )


@external
def safeBatchTransferFrom(
    _from: address,
    _to: address,
    token_ids: DynArray[uint256, 64],
    amounts: DynArray[uint256, 64],
    data: Bytes[1024],
):
    assert msg.sender == _from, "not allowed"
    assert len(token_ids) == len(amounts), "length mismatch"
    for i: uint256 in range(len(token_ids), bound=64):
        self.balanceOf[_from][token_ids[i]] -= amounts[i]
        self.balanceOf[_to][token_ids[i]] += amounts[i]
    log TransferBatch(
        operator=msg.sender, sender=_from, receiver=_to, token_ids=token_ids, amounts=amounts
    )


@external
def mint(_to: address, token_id: uint256, amount: uint256, uri: String[2048]):
    assert msg.sender == self.minter, "only the minter mints"
    self.balanceOf[_to][token_id] += amount
    self.uris[token_id] = uri
    log TransferSingle(
        operator=msg.sender, sender=empty(address), receiver=_to, token_id=token_id, amount=amount
    )


@external
def mintBatch(_to: address, token_ids: DynArray[uint256, 64], amounts: DynArray[uint256, 64]):
    assert msg.sender == self.minter, "only the minter mints"
    assert len(token_ids) == len(amounts), "length mismatch"
    for i: uint256 in range(len(token_ids), bound=64):
        self.balanceOf[_to][token_ids[i]] += amounts[i]
    log TransferBatch(
        operator=msg.sender, sender=empty(address), receiver=_to, token_ids=token_ids, amounts=amounts
    )
