/* being written */
typedef int ca_placeholder_rules;
