/* Plain CSR SpMV on the 2D 5-point Poisson matrix (m x m grid), best of 60; for bench/native/run.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <omp.h>
int main(int argc,char**argv){ int m=atoi(argv[1]); int n=m*m; int *rp=malloc((n+1)*4),*ci=malloc(5L*n*4); double *v=malloc(5L*n*8),*x=malloc(n*8),*y=malloc(n*8);
int k=0; rp[0]=0; for(int i=0;i<m;i++)for(int j=0;j<m;j++){int r=i*m+j; if(i>0){ci[k]=r-m;v[k++]=-1;} if(j>0){ci[k]=r-1;v[k++]=-1;} ci[k]=r;v[k++]=4; if(j<m-1){ci[k]=r+1;v[k++]=-1;} if(i<m-1){ci[k]=r+m;v[k++]=-1;} rp[r+1]=k;}
for(int i=0;i<n;i++)x[i]=1;
double bytes=12.0*k+4.0*(n+1)+16.0*n; double best=1e9;
for(int rep=0;rep<60;rep++){ double t=omp_get_wtime();
#pragma omp parallel for schedule(static)
for(int i=0;i<n;i++){ double s=0; for(int kk=rp[i];kk<rp[i+1];kk++) s+=v[kk]*x[ci[kk]]; y[i]=s; }
t=omp_get_wtime()-t; if(t<best)best=t; }
printf("C CSR spmv n=%d: %.3f ms %.1f GB/s (y0=%g)\n", n, best*1e3, bytes/best/1e9, y[0]); }
