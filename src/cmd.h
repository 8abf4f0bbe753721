/*
 * The command table: each src/cmd/cmd-*.c exports one struct cmd_entry,
 * and the helpers every command shares (opening the node, reporting an
 * error in one line, exit codes).
 */
#ifndef CONSORT_CMD_H
#define CONSORT_CMD_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "core.h"
#include "fmt.h"
#include "jsonw.h"

/* Exit codes of the command line (DESIGN.md §8). */
enum {
	EXIT_OK = 0,
	EXIT_ERROR = 1,
	EXIT_USAGE = 2,
	EXIT_REFUSED = 3,
	EXIT_CONFLICTS = 4,
};

struct cmd_ctx {
	const char *dir;       /* --dir or CONSORT_DIR */
	const char *passfile;  /* --passphrase-file or CONSORT_PASSPHRASE_FILE */
	struct node *node;
	const struct cmd_entry *entry;
	const struct cmd_entry *sub;  /* the subcommand running, if any */
};

/* An option a command takes: --NAME, or --NAME VALUE when it has arg. */
struct cmd_opt {
	const char *name;  /* without the leading "--" */
	const char *arg;   /* its value's name in the help ("FILE"); NULL: a flag */
	const char *help;  /* its lines in --help, split by '\n'; NULL: unlisted */
};

/* Every argument is taken as it is, even one that starts with '-'. */
#define CMD_ARGS_LITERAL 0x1

/*
 * What a command accepts, parsed before it runs (tmux's args template):
 * long options in any order among the arguments, "--opt=VALUE" or "--opt
 * VALUE", a unique prefix for a name, "--" to end them; then between lower
 * and upper arguments.  For a command with subcommands, missing is the
 * error without one and unexpected the error for an unknown one.
 */
struct cmd_args_spec {
	const struct cmd_opt *opts;  /* ends with { NULL } */
	int lower;                   /* the fewest arguments */
	int upper;                   /* the most; -1: no limit */
	const char *missing;         /* usage error with fewer than lower */
	const char *unexpected;      /* with more than upper; NULL: names it */
	unsigned flags;              /* CMD_ARGS_* */
};

/* The template of a command that takes no option and no argument. */
#define CMD_NO_ARGUMENTS { .unexpected = N_("takes no argument"), \
	.flags = CMD_ARGS_LITERAL }

/* One option as given on the command line. */
struct cmd_optval {
	const struct cmd_opt *opt;
	char *value;  /* NULL for a flag */
};

/* A command line parsed against its template. */
struct cmd_args {
	const struct cmd_args_spec *spec;
	struct cmd_optval *given;  /* the options, in the order given */
	int ngiven;
	char **argv;               /* the arguments, without the options */
	int argc;
};

/* Works on files alone: its errors say nothing of a node. */
#define CMD_NO_NODE 0x1

/*
 * A command (tmux's cmd_entry); a command with subcommands lists them as
 * entries of their own (Redis's subcommand tables), found by exact name.
 */
struct cmd_entry {
	const char *name;
	const char *usage;      /* arguments after the name; a subcommand's
	                           follow its name in the parent's help */
	const char *summary;    /* one line; a subcommand's is its text in the
	                           parent's help (none: only its options) */
	struct cmd_args_spec args;
	const struct cmd_entry *const *sub;  /* subcommands, NULL-ended */
	const char *help_head;  /* help before the lines of the options */
	const char *help;       /* help after them */
	int help_col;           /* where option texts start; 0: computed */
	unsigned flags;         /* CMD_NO_NODE */
	int (*exec)(struct cmd_ctx *ctx, const struct cmd_args *args);
};

int cmd_run(struct cmd_ctx *ctx, int argc, char **argv);
bool cmd_args_has(const struct cmd_args *a, const char *name);
char *cmd_args_get(const struct cmd_args *a, const char *name);
unsigned cmd_args_count(const struct cmd_args *a, const char *name);
char *cmd_args_next(const struct cmd_args *a, const char *name, int *i);
void cmd_print_help(FILE *f, const struct cmd_entry *e);
bool cmd_want_help(int argc, char **argv);

/* The JSON around what a listing prints. */
enum cmd_json {
	CMD_TEXT,         /* none: text */
	CMD_JSON,         /* the printer writes the whole document */
	CMD_JSON_OBJECT,  /* an object holds what it writes */
	CMD_JSON_ARRAY,   /* an array holds what it writes */
};

/* What a listing prints with. */
struct cmd_listing {
	struct cmd_ctx *ctx;
	struct store_txn *txn;      /* one read transaction */
	FILE *out;
	struct jsonw *jw;           /* NULL: text */
	struct consort_diag diag;   /* what a failure says */
	void *arg;
};

/*
 * Lets a reading command show the personal values the node holds (loads
 * an unsealed key, or a sealed one with the passphrase given).
 * @return 0, or the exit code of a refused passphrase
 */
int cmd_read_personal(struct cmd_ctx *ctx);
int cmd_listing(struct cmd_ctx *ctx, enum cmd_json json,
    int (*print)(struct cmd_listing *l), void *arg);
int cmd_open(struct cmd_ctx *ctx, bool need_key);
int cmd_open_keys(struct cmd_ctx *ctx, struct node **keys);
int cmd_fail(const struct cmd_ctx *ctx, int rc, const struct consort_diag *d);
int cmd_usage(const struct cmd_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int cmd_exit_code(int rc);
int cmd_passphrase(const struct cmd_ctx *ctx, char **pass, size_t *passlen);
int cmd_passphrase_new(const struct cmd_ctx *ctx, bool none, char **pass,
    size_t *passlen);
int cmd_passphrase_new_file(const struct cmd_ctx *ctx, bool none,
    const char *path, char **pass, size_t *passlen);
int cmd_passphrase_open(const struct cmd_ctx *ctx, const char *where,
    char **pass, size_t *passlen, bool *typed);
int cmd_open_netkey(struct cmd_ctx *ctx);
/* Reads a public key option: 0, or the exit code of its refusal. */
int cmd_parse_key(struct cmd_ctx *ctx, const char *opt, const char *hex,
    uint8_t key[CONSORT_KEY_BYTES]);
/*
 * Writes to f the consortium for the lead's new machine (key), sealed to
 * it, and trusts that key for sync (consort key handover).
 * @return 0, or E(IO) (d says where), or an error of the store or seal
 */
int cmd_invite_handover(struct cmd_ctx *ctx,
    const uint8_t key[CONSORT_KEY_BYTES], FILE *f, const char *out,
    struct consort_diag *d);
void cmd_compact_pending(struct cmd_ctx *ctx);
const struct schema_type *cmd_type(const struct cmd_ctx *ctx, const char *name);
int cmd_field_args(const struct cmd_ctx *ctx, const struct schema_type *t,
    int argc, char **argv, struct field_input *in, unsigned *n, bool allow_unset);
bool cmd_progress_wanted(void);
FILE *cmd_out_begin(void);
int cmd_out_end(FILE *f, int rc);
int cmd_out_end_safe(FILE *f, int rc);
int cmd_finish_output(int rc);
void cmd_time(char *buf, size_t len, time_t t);
void cmd_hlc_time(char *buf, size_t len, uint64_t hlc);
int cmd_list_records(struct cmd_ctx *ctx, const struct schema_type *t,
    bool json, const char *hide);
int cmd_write_record(struct cmd_ctx *ctx, const struct schema_type *t,
    const char *ref, int argc, char **argv, enum put_mode mode);
void cmd_print_value(FILE *f, const struct value *v);
void cmd_today(char out[11]);
int cmd_doc_lang(const struct cmd_ctx *ctx, const struct cmd_args *args,
    enum fmt_lang *lang);

/* The --lang option of a command writing a document for people. */
#define CMD_OPT_LANG { "lang", "fr|en", "the document's language: fr (French, the\n" \
	"default) or en (English)" }
int erase_compact(struct cmd_ctx *ctx);
const char *erase_compact_hint(int rc);
void cmd_erase_refused(struct store_txn *txn, struct node *n, const char *ref,
    struct consort_diag *d);

extern const struct cmd_entry cmd_init_entry;
extern const struct cmd_entry cmd_whoami_entry;
extern const struct cmd_entry cmd_add_entry;
extern const struct cmd_entry cmd_set_entry;
extern const struct cmd_entry cmd_rm_entry;
extern const struct cmd_entry cmd_list_entry;
extern const struct cmd_entry cmd_show_entry;
extern const struct cmd_entry cmd_import_entry;
extern const struct cmd_entry cmd_log_entry;
extern const struct cmd_entry cmd_verify_entry;
extern const struct cmd_entry cmd_rebuild_entry;
extern const struct cmd_entry cmd_compact_entry;
extern const struct cmd_entry cmd_state_hash_entry;
extern const struct cmd_entry cmd_export_entry;
extern const struct cmd_entry cmd_key_entry;
extern const struct cmd_entry cmd_member_entry;
extern const struct cmd_entry cmd_keygen_entry;
extern const struct cmd_entry cmd_invite_entry;
extern const struct cmd_entry cmd_join_entry;
extern const struct cmd_entry cmd_revoke_entry;
extern const struct cmd_entry cmd_serve_entry;
extern const struct cmd_entry cmd_sync_entry;
extern const struct cmd_entry cmd_peer_entry;
extern const struct cmd_entry cmd_bundle_entry;
extern const struct cmd_entry cmd_status_entry;
extern const struct cmd_entry cmd_conflicts_entry;
extern const struct cmd_entry cmd_resolve_entry;
extern const struct cmd_entry cmd_order_entry;
extern const struct cmd_entry cmd_statement_entry;
extern const struct cmd_entry cmd_report_entry;
extern const struct cmd_entry cmd_erase_entry;
extern const struct cmd_entry cmd_subject_entry;
extern const struct cmd_entry cmd_retention_entry;

extern const struct cmd_entry *const cmd_table[];

#endif
