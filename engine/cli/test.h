/*
 * test.h -- the `claimscrub test` command: run rule packs' test cases
 * (docs/authoring-tests.md, docs/cli.md).
 */
#ifndef CS_CLI_TEST_H
#define CS_CLI_TEST_H

/* Run `claimscrub test ...`; argv[0] is "test".  Returns the exit status:
 * 0 every case passed, 1 some case failed, 2 usage or rules error (message
 * on stderr). */
int cmd_test(int argc, char **argv);

#endif
