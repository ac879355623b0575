/* SPDX-License-Identifier: ISC */
/* no-seccomp PROGRAM [ARGS]: run PROGRAM as on a kernel without seccomp:
 * seccomp() fails with ENOSYS, prctl's seccomp requests with EINVAL. */
#include "config.h"

#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);

	if (argc < 2 || !ctx) {
		fprintf(stderr, "usage: no-seccomp PROGRAM [ARGS]\n");
		return 2;
	}
	if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(seccomp), 0) < 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EINVAL), SCMP_SYS(prctl), 1,
			     SCMP_A0(SCMP_CMP_EQ, PR_GET_SECCOMP, 0)) < 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EINVAL), SCMP_SYS(prctl), 1,
			     SCMP_A0(SCMP_CMP_EQ, PR_SET_SECCOMP, 0)) < 0 ||
	    seccomp_load(ctx) < 0) {
		fprintf(stderr, "no-seccomp: cannot load the filter\n");
		return 1;
	}
	seccomp_release(ctx);
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
