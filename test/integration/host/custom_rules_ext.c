/* Bodies of the functions custom_rules.c gives custom derivatives. */
#include <math.h>
double scaled_log(double x) { return log(x); }
double marked_exp(double x) { return exp(x); }
