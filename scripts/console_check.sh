#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# console_check.sh LOG: fail if a guest console shows a kernel splat (oops,
# BUG, WARN, lockdep, list corruption, a kmemleak report) or did not reach
# the end of its /init (VST-DONE). Prints what it found.
set -u
log=$1
bad=0

splats='Oops|BUG:|WARNING: CPU:|Kernel panic|------------\[ cut here \]|'
splats+='possible recursive locking|possible circular locking|'
splats+='inconsistent lock state|suspicious RCU usage|'
splats+='sleeping function called from invalid context|'
splats+='list_add corruption|list_del corruption|Unexpected TCEs|'
splats+='unreferenced object|lockdep: '

if grep -aEn "$splats" "$log"; then
	echo "console: kernel splat in $log"
	bad=1
fi
if ! grep -aq '^VST-DONE' "$log"; then
	echo "console: /init did not finish (hang, panic or crash); see $log"
	bad=1
fi
exit $bad
