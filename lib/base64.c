#include "base64.h"

static const char url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t
b64url_encode(const unsigned char *in, size_t n, char *out)
{
	size_t		 i, o = 0;
	unsigned long	 v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned long)in[i] << 16 | in[i + 1] << 8 | in[i + 2];
		out[o++] = url_alphabet[v >> 18 & 63];
		out[o++] = url_alphabet[v >> 12 & 63];
		out[o++] = url_alphabet[v >> 6 & 63];
		out[o++] = url_alphabet[v & 63];
	}
	if (n - i == 1) {
		v = (unsigned long)in[i] << 16;
		out[o++] = url_alphabet[v >> 18 & 63];
		out[o++] = url_alphabet[v >> 12 & 63];
	} else if (n - i == 2) {
		v = (unsigned long)in[i] << 16 | in[i + 1] << 8;
		out[o++] = url_alphabet[v >> 18 & 63];
		out[o++] = url_alphabet[v >> 12 & 63];
		out[o++] = url_alphabet[v >> 6 & 63];
	}
	out[o] = '\0';
	return o;
}

static int
sextet(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-' || c == ' ')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

long
b64_decode(const char *in, size_t n, unsigned char *out, size_t outcap)
{
	size_t		 i, o = 0, pad = 0, rem;
	unsigned long	 acc = 0;
	int		 bits = 0, s;

	/* Padding: only at the end, only to a multiple of four. */
	while (pad < n && in[n - pad - 1] == '=')
		pad++;
	if (pad > 0 && (pad > 2 || n % 4 != 0))
		return -1;
	n -= pad;
	if ((rem = n % 4) == 1)
		return -1;
	if (n / 4 * 3 + (rem ? rem - 1 : 0) > outcap)
		return -1;

	for (i = 0; i < n; i++) {
		if ((s = sextet((unsigned char)in[i])) < 0)
			return -1;
		acc = (acc << 6 | (unsigned long)s) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits & 0xff);
		}
	}
	if (bits > 0 && (acc & ((1ul << bits) - 1)) != 0)
		return -1;	/* non-canonical trailing bits */
	return (long)o;
}
