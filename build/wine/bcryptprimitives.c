/* bcryptprimitives.dll for Debian's wine 8, which lacks it: Go >= 1.24
 * programs call ProcessPrng at start. This shim answers it from advapi32's
 * SystemFunction036 (RtlGenRandom), the same system generator. Built at test
 * time by build/wine-test.sh; never shipped. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!SystemFunction036(data, n))
            return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
