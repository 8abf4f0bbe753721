/*
 * What the files of consort order share (cmd-order.c, the request's side;
 * cmd-order-region.c, the Region's answer; cmd-order-list.c, the orders
 * recorded and their state).
 */
#ifndef CONSORT_CMD_ORDER_H
#define CONSORT_CMD_ORDER_H

#include "../cmd.h"
#include "../order.h"

/*
 * Loads a request and checks it as order verify does: exit 1 when its
 * signature does not hold or the file is malformed, 3 when it holds by
 * another key than the signer the request names; each reported.
 * @param key the key to check it with; NULL: the file's
 * @param f loaded when 0 is returned; order_file_free()
 * @return 0, or the exit code of the refusal
 */
int order_verify_request(struct cmd_ctx *ctx, const char *path,
    const uint8_t *key, struct order_file *f);
/*
 * order verify on a decision of the Region, loaded in f (freed here).
 * @return the exit code: 0 valid, 1 a signature that does not hold or a
 *	malformed decision, 3 a signature by another key than key
 */
int order_verify_decision(struct cmd_ctx *ctx, const char *path,
    const uint8_t *key, struct order_file *f);

extern const struct cmd_entry order_keygen_entry;
extern const struct cmd_entry order_decide_entry;
extern const struct cmd_entry order_region_key_entry;
extern const struct cmd_entry order_receive_entry;
extern const struct cmd_entry order_list_entry;

#endif
