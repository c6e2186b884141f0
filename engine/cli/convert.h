/*
 * convert.h -- claimscrub convert: X12 837P files as claim JSON lines.
 */
#ifndef CS_CLI_CONVERT_H
#define CS_CLI_CONVERT_H

int cmd_convert(int argc, char **argv);

#endif
