/* Empty placeholder for a companion library NVIDIA ships beside the main one (TEST-ONLY stand-in). */
int isthmusStandinCompanion(void);
__attribute__((visibility("default"))) int isthmusStandinCompanion(void) { return 1; }
