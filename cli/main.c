/* being written */
typedef int ca_placeholder_main;
int main(void) { return 0; }
