/* being written */
typedef int ca_placeholder_report_text;
