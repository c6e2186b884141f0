/*
 * rules.h -- the `claimscrub rules` command: the effective rule list of a
 * payer and client overlay (docs/cli.md).
 */
#ifndef CS_CLI_RULES_H
#define CS_CLI_RULES_H

/* Run `claimscrub rules ...`; argv[0] is "rules".  Returns the exit status:
 * 0 listed, 2 usage or rules error (message on stderr). */
int cmd_rules(int argc, char **argv);

#endif
