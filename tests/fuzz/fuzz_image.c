/*
 * libFuzzer target: wa_image_probe_mem(), an upload's image type and
 * dimensions from its bytes (libmagic, then libpng's, libjpeg's or
 * libwebp's header reader).
 *
 * Properties: no crash, leak or abort; nothing printed; an image
 * accepted is one of the three types with both dimensions set and its
 * own MIME type; a refusal leaves type NONE and no dimensions; mime is
 * always a non-empty string.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "image.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wa_image	 img;
	const char	*m;

	if (wa_image_probe_mem(data, size, &img) == 0) {
		m = wa_image_mime(img.type);
		if (m == NULL || strcmp(img.mime, m) != 0 ||
		    img.width == 0 || img.height == 0)
			__builtin_trap();
	} else if (img.type != WA_IMAGE_NONE || img.width != 0 ||
	    img.height != 0)
		__builtin_trap();
	if (memchr(img.mime, '\0', sizeof(img.mime)) == NULL ||
	    img.mime[0] == '\0')
		__builtin_trap();
	return 0;
}
