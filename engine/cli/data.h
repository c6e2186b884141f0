/*
 * data.h -- the `claimscrub data` command: import and inspect reference
 * data sets (docs/data.md).
 */
#ifndef CS_CLI_DATA_H
#define CS_CLI_DATA_H

/* Run `claimscrub data SUBCOMMAND ...`; argv[0] is "data".  Returns the
 * exit status: 0 done, 2 usage or data error (message on stderr). */
int cmd_data(int argc, char **argv);

#endif
