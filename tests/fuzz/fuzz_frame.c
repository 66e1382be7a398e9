/* libFuzzer target: nd_frame_decode on every link type, with every hint.
 * The first input byte picks the link type and hints; the rest is the
 * frame.  A second decode with a shorter caplen checks the snap path. */
#include <stddef.h>
#include <stdint.h>

#include <netdiag/pkt.h>

static const int linktypes[] = {
	ND_LINK_ETHERNET, ND_LINK_LINUX_SLL, ND_LINK_LINUX_SLL2, ND_LINK_NULL,
	ND_LINK_LOOP, ND_LINK_RAW, ND_LINK_IPV4, ND_LINK_IPV6, 9, 50, 239, 149, 258, 281,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nd_frame f;
	int lt;
	uint32_t hints;

	if (size < 1)
		return 0;
	lt = linktypes[data[0] % (sizeof(linktypes) / sizeof(linktypes[0]))];
	hints = (uint32_t)(data[0] >> 6);
	nd_frame_decode(&f, lt, data + 1, size - 1, size - 1, hints);
	/* the payload view must stay inside the frame */
	if (f.payload.base && (f.payload.base < data + 1 ||
			       f.payload.base + f.payload.len > data + size))
		__builtin_trap();
	/* and what it carries, as deep as the analysis goes */
	{
		struct nd_frame in[2];
		const struct nd_frame *cur = &f;

		for (int d = 0; d < ND_ENCAP_DEPTH_MAX && cur->encap.kind; d++) {
			if (cur->encap.inner.base < data + 1 ||
			    cur->encap.inner.base + cur->encap.inner.len > data + size)
				__builtin_trap();
			nd_frame_decode_inner(&in[d % 2], cur, hints);
			cur = &in[d % 2];
		}
	}
	if (size > 2)
		nd_frame_decode(&f, lt, data + 1, (size - 1) / 2, size - 1, hints);
	return 0;
}
