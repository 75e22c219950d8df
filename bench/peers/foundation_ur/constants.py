#
# constants.py
#
# Copyright © 2020 Foundation Devices, Inc.
# Licensed under the "BSD-2-Clause Plus Patent License"
#

MAX_UINT32 = 0xffffffff
MAX_UINT64 = 0xffffffffffffffff
