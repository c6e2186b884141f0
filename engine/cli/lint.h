/*
 * lint.h -- the `claimscrub lint` command: static checks of rule packs and
 * client overlays before they ship (docs/cli.md).
 */
#ifndef CS_CLI_LINT_H
#define CS_CLI_LINT_H

/* Run `claimscrub lint ...`; argv[0] is "lint".  Returns the exit status:
 * 0 no problem, 1 some problem, 2 usage error (message on stderr). */
int cmd_lint(int argc, char **argv);

#endif
