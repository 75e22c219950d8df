# pragma version ~=0.4.3
"""
@title Coffer's minimal Permit2 for tests
@notice The subset of Uniswap's Permit2 (AllowanceTransfer) that the review tests use, with
    the same ABI, events and EIP-712 PermitSingle hash: ``approve``, ``permit`` (one
    PermitSingle, a 65-byte signature), ``transferFrom`` and ``allowance``. Written for Coffer
    from Permit2's interfaces (github.com/Uniswap/permit2, IAllowanceTransfer.sol and
    PermitHash.sol); not Uniswap's code. No constructor state, so its runtime code can be
    placed at Permit2's canonical address with anvil_setCode.
"""

from ethereum.ercs import IERC20

struct PermitDetails:
    token: address
    amount: uint160
    expiration: uint48
    nonce: uint48

struct PermitSingle:
    details: PermitDetails
    spender: address
    sigDeadline: uint256

struct PackedAllowance:
    amount: uint160
    expiration: uint48
    nonce: uint48

event Approval:
    owner: indexed(address)
    token: indexed(address)
    spender: indexed(address)
    amount: uint160
    expiration: uint48

event Permit:
    owner: indexed(address)
    token: indexed(address)
    spender: indexed(address)
    amount: uint160
    expiration: uint48
    nonce: uint48

DOMAIN_TYPEHASH: constant(bytes32) = keccak256(
    "EIP712Domain(string name,uint256 chainId,address verifyingContract)"
)
NAME_HASH: constant(bytes32) = keccak256("Permit2")
DETAILS_TYPEHASH: constant(bytes32) = keccak256(
    "PermitDetails(address token,uint160 amount,uint48 expiration,uint48 nonce)"
)
SINGLE_TYPEHASH: constant(bytes32) = keccak256(
    "PermitSingle(PermitDetails details,address spender,uint256 sigDeadline)"
    "PermitDetails(address token,uint160 amount,uint48 expiration,uint48 nonce)"
)

allowance: public(HashMap[address, HashMap[address, HashMap[address, PackedAllowance]]])


@view
@external
def DOMAIN_SEPARATOR() -> bytes32:
    return self._domain()


@view
@internal
def _domain() -> bytes32:
    return keccak256(abi_encode(DOMAIN_TYPEHASH, NAME_HASH, chain.id, self))


@external
def approve(token: address, spender: address, amount: uint160, expiration: uint48):
    current: PackedAllowance = self.allowance[msg.sender][token][spender]
    self.allowance[msg.sender][token][spender] = PackedAllowance(
        amount=amount, expiration=expiration, nonce=current.nonce
    )
    log Approval(owner=msg.sender, token=token, spender=spender, amount=amount, expiration=expiration)


@external
def permit(owner: address, permitSingle: PermitSingle, signature: Bytes[65]):
    assert block.timestamp <= permitSingle.sigDeadline, "signature expired"
    d: PermitDetails = permitSingle.details
    current: PackedAllowance = self.allowance[owner][d.token][permitSingle.spender]
    assert current.nonce == d.nonce, "invalid nonce"
    details_hash: bytes32 = keccak256(
        abi_encode(DETAILS_TYPEHASH, d.token, d.amount, d.expiration, d.nonce)
    )
    struct_hash: bytes32 = keccak256(
        abi_encode(SINGLE_TYPEHASH, details_hash, permitSingle.spender, permitSingle.sigDeadline)
    )
    digest: bytes32 = keccak256(concat(b"\x19\x01", self._domain(), struct_hash))
    r: uint256 = convert(slice(signature, 0, 32), uint256)
    s: uint256 = convert(slice(signature, 32, 32), uint256)
    v: uint256 = convert(slice(signature, 64, 1), uint256)
    signer: address = ecrecover(digest, v, r, s)
    assert signer != empty(address) and signer == owner, "invalid signature"
    self.allowance[owner][d.token][permitSingle.spender] = PackedAllowance(
        amount=d.amount, expiration=d.expiration, nonce=d.nonce + 1
    )
    log Permit(
        owner=owner,
        token=d.token,
        spender=permitSingle.spender,
        amount=d.amount,
        expiration=d.expiration,
        nonce=d.nonce,
    )


@external
def transferFrom(_from: address, to: address, amount: uint160, token: address):
    current: PackedAllowance = self.allowance[_from][token][msg.sender]
    assert block.timestamp <= convert(current.expiration, uint256), "allowance expired"
    if current.amount != max_value(uint160):
        assert current.amount >= amount, "insufficient allowance"
        self.allowance[_from][token][msg.sender] = PackedAllowance(
            amount=current.amount - amount, expiration=current.expiration, nonce=current.nonce
        )
    extcall IERC20(token).transferFrom(_from, to, convert(amount, uint256))
