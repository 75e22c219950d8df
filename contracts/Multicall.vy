# pragma version ~=0.4.3
"""
@title A Multicall3-compatible aggregator for local chains
@notice Same aggregate3 and getEthBalance signatures as Multicall3 (github.com/mds1/multicall),
    with bounded sizes; deployed on anvil to test the Multicall3 path of balance sync.
"""

struct Call3:
    target: address
    allowFailure: bool
    callData: Bytes[128]

struct Result:
    success: bool
    returnData: Bytes[160]


@external
def aggregate3(calls: DynArray[Call3, 500]) -> DynArray[Result, 500]:
    results: DynArray[Result, 500] = []
    for c: Call3 in calls:
        ok: bool = False
        data: Bytes[160] = b""
        ok, data = raw_call(c.target, c.callData, max_outsize=160, revert_on_failure=False)
        assert ok or c.allowFailure, "Multicall3: call failed"
        results.append(Result(success=ok, returnData=data))
    return results


@view
@external
def getEthBalance(addr: address) -> uint256:
    return addr.balance
