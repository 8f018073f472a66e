/* scanner/report/html.h: writing HTML where every outside string is text.
 *
 * The report page is written straight to a FILE through these calls. Markup
 * is only ever a string literal of this folder's code (html_raw); anything
 * that came from a server, a results file or the command line goes through
 * html_text, which escapes it for element content and quoted attribute
 * values alike: & < > " ' become character references; control characters
 * (but tab and line feed), DEL, the C1 controls, the bidirectional controls
 * and bytes of ill-formed UTF-8 become U+FFFD. Nothing from outside can then
 * open a tag, close an attribute or reorder what is shown. Numbers go
 * through html_printf, whose formats are literals of this folder too. */
#ifndef SCANNER_REPORT_HTML_H
#define SCANNER_REPORT_HTML_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct html {
  FILE *f;
  int failed;      /* a write failed: the page is incomplete */
};

/* html_raw writes |markup|, a literal of the report's own code. */
void html_raw(struct html *h, const char *markup);

/* html_text writes the NUL-terminated |s| (NULL: nothing), escaped. */
void html_text(struct html *h, const char *s);

/* html_textn writes |len| bytes of |s|, escaped. */
void html_textn(struct html *h, const char *s, size_t len);

/* html_printf writes a formatted string; |fmt| is a literal of the
 * report's own code and its arguments are numbers or such literals, never
 * outside strings (those go through html_text). */
__attribute__((format(printf, 2, 3)))
void html_printf(struct html *h, const char *fmt, ...);

#endif /* SCANNER_REPORT_HTML_H */
