/* Test support only, never shipped: Rust >= 1.78's std imports ProcessPrng from
 * bcryptprimitives.dll, which real Windows 10/11 have and Wine 8.0 (Debian bookworm) lacks
 * (Wine added it in 8.13). This stand-in exports it on top of BCryptGenRandom, so that the
 * Windows build runs under Debian's Wine. scripts/wine-env.sh builds it into the prefix. */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0)
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
