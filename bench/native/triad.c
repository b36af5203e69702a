/* STREAM-style triad a = b + 3 c over 2^24 doubles, best of 30; for bench/native/run.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <omp.h>
#define N (1<<24)
int main(){ double *a=malloc(N*8),*b=malloc(N*8),*c=malloc(N*8); 
#pragma omp parallel for
for(long j=0;j<N;j++){a[j]=0;b[j]=1;c[j]=2;}
double best=1e9; for(int r=0;r<30;r++){ double t=omp_get_wtime();
#pragma omp parallel for
for(long j=0;j<N;j++) a[j]=b[j]+3.0*c[j];
t=omp_get_wtime()-t; if(t<best)best=t;} printf("C triad: %.1f GB/s (a[7]=%g)\n", 24.0*N/best/1e9, a[7]); return 0;}
