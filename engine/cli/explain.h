/*
 * explain.h -- the `claimscrub explain` command: every rule a claim ran
 * through, what it did and what it consulted (docs/cli.md).
 */
#ifndef CS_CLI_EXPLAIN_H
#define CS_CLI_EXPLAIN_H

/* Run `claimscrub explain ...`; argv[0] is "explain".  Returns the exit
 * status, as for check: 0 no claim needs attention, 1 some claim is
 * review, deny or reject, 2 usage, rules or input error. */
int cmd_explain(int argc, char **argv);

#endif
