/*
 * Unit tests for lib/image.c: an upload's image type and dimensions
 * from its content.  The PNG, JPEG and WebP samples are made here with
 * libpng, libjpeg and libwebp.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <jpeglib.h>
#include <png.h>
#include <webp/encode.h>

#include "helpers.h"
#include "image.h"
#include "log.h"

#define CHILD_ENV	"WA_TEST_IMAGE_FALLBACK"

static const char text[] = "width=640\nheight=480\nnot an image at all\n";
static const unsigned char gif[] = {
	'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0, 0, 0,
	',', 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 'D', 1, 0, ';'
};

/* A growing buffer for libpng's writer. */
struct wbuf {
	unsigned char	*p;
	size_t		 len;
	size_t		 cap;
};

static void
png_put(png_structp png, png_bytep p, size_t n)
{
	struct wbuf	*b = png_get_io_ptr(png);

	if (b->len + n > b->cap) {
		b->cap = 2 * (b->len + n);
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			abort();
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void
png_noflush(png_structp png)
{
	(void)png;
}

/* An RGB PNG of w x h black pixels with a tEXt chunk before IDAT;
 * malloc'd. */
static unsigned char *
make_png(unsigned w, unsigned h, size_t *len)
{
	struct wbuf	 b = { NULL, 0, 0 };
	png_structp	 png;
	png_infop	 info;
	png_text	 t;
	png_bytep	 row;
	unsigned	 y;

	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL,
	    NULL);
	assert_non_null(png);
	info = png_create_info_struct(png);
	assert_non_null(info);
	row = calloc(w, 3);
	assert_non_null(row);
	if (setjmp(png_jmpbuf(png)))
		fail_msg("libpng could not write the sample");
	png_set_write_fn(png, &b, png_put, png_noflush);
	png_set_IHDR(png, info, w, h, 8, PNG_COLOR_TYPE_RGB,
	    PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
	    PNG_FILTER_TYPE_DEFAULT);
	memset(&t, 0, sizeof(t));
	t.compression = PNG_TEXT_COMPRESSION_NONE;
	t.key = (png_charp)"Comment";
	t.text = (png_charp)"made by test_image";
	png_set_text(png, info, &t, 1);
	png_write_info(png, info);
	for (y = 0; y < h; y++)
		png_write_row(png, row);
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	free(row);
	*len = b.len;
	return b.p;
}

/* A baseline JPEG of w x h black pixels; malloc'd. */
static unsigned char *
make_jpeg(unsigned w, unsigned h, size_t *len)
{
	struct jpeg_compress_struct	 c;
	struct jpeg_error_mgr		 e;
	unsigned char			*out = NULL;
	unsigned long			 n = 0;
	JSAMPROW			 row;
	unsigned			 y;

	c.err = jpeg_std_error(&e);
	jpeg_create_compress(&c);
	jpeg_mem_dest(&c, &out, &n);
	c.image_width = w;
	c.image_height = h;
	c.input_components = 3;
	c.in_color_space = JCS_RGB;
	jpeg_set_defaults(&c);
	jpeg_start_compress(&c, TRUE);
	row = calloc(w, 3);
	assert_non_null(row);
	for (y = 0; y < h; y++)
		jpeg_write_scanlines(&c, &row, 1);
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	free(row);
	*len = n;
	return out;
}

/* A lossless WebP of w x h black pixels; malloc'd. */
static unsigned char *
make_webp(unsigned w, unsigned h, size_t *len)
{
	uint8_t		*rgb, *enc = NULL;
	unsigned char	*out;
	size_t		 n;

	rgb = calloc(w, 3 * h);
	assert_non_null(rgb);
	n = WebPEncodeLosslessRGB(rgb, (int)w, (int)h, (int)w * 3, &enc);
	assert_true(n > 0);
	out = malloc(n);
	assert_non_null(out);
	memcpy(out, enc, n);
	WebPFree(enc);
	free(rgb);
	*len = n;
	return out;
}

/* An unlinked temporary file holding buf[0..len). */
static FILE *
tmp_with(const void *buf, size_t len)
{
	FILE	*f = tmpfile();

	assert_non_null(f);
	if (len > 0)
		assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fflush(f), 0);
	return f;
}

/* probe_fd over the same bytes (fd's offset at 5, unmoved) must say
 * what probe_mem says. */
static int
probe_both(const void *buf, size_t len, struct wa_image *img)
{
	struct wa_image	 f;
	FILE		*fp;
	int		 rc, frc;

	rc = wa_image_probe_mem(buf, len, img);
	fp = tmp_with(buf, len);
	assert_int_equal(lseek(fileno(fp), 5, SEEK_SET), 5);
	frc = wa_image_probe_fd(fileno(fp), len, &f);
	assert_int_equal(lseek(fileno(fp), 0, SEEK_CUR), 5);
	fclose(fp);
	assert_int_equal(frc, rc);
	assert_int_equal(f.type, img->type);
	assert_string_equal(f.mime, img->mime);
	assert_int_equal(f.width, img->width);
	assert_int_equal(f.height, img->height);
	return rc;
}

static void
is_image(const void *buf, size_t len, enum wa_image_type t, unsigned w,
    unsigned h)
{
	struct wa_image	img;

	assert_int_equal(probe_both(buf, len, &img), 0);
	assert_int_equal(img.type, t);
	assert_string_equal(img.mime, wa_image_mime(t));
	assert_int_equal(img.width, w);
	assert_int_equal(img.height, h);
}

/* Not an image; mime is libmagic's, unchecked if NULL. */
static void
not_image(const void *buf, size_t len, const char *mime)
{
	struct wa_image	img;

	assert_int_equal(probe_both(buf, len, &img), -1);
	assert_int_equal(img.type, WA_IMAGE_NONE);
	assert_int_equal(img.width, 0);
	assert_int_equal(img.height, 0);
	assert_true(img.mime[0] != '\0');
	if (mime != NULL)
		assert_string_equal(img.mime, mime);
}

static void
test_images(void **state)
{
	static const unsigned dims[][2] = { { 640, 480 }, { 1, 1 },
	    { 3, 1000 } };
	unsigned char	*p;
	size_t		 i, n;

	(void)state;
	for (i = 0; i < NELEM(dims); i++) {
		p = make_png(dims[i][0], dims[i][1], &n);
		is_image(p, n, WA_IMAGE_PNG, dims[i][0], dims[i][1]);
		free(p);
		p = make_jpeg(dims[i][0], dims[i][1], &n);
		is_image(p, n, WA_IMAGE_JPEG, dims[i][0], dims[i][1]);
		free(p);
		p = make_webp(dims[i][0], dims[i][1], &n);
		is_image(p, n, WA_IMAGE_WEBP, dims[i][0], dims[i][1]);
		free(p);
	}
}

static void
test_not_images(void **state)
{
	struct wa_image		 img;
	struct wa_arena		*a = wa_arena_new(0);
	struct t_capture	 cap;
	unsigned char		 junk[200];

	(void)state;
	t_capture_begin(&cap);
	not_image(text, sizeof(text) - 1, "text/plain");
	not_image(gif, sizeof(gif), "image/gif");
	not_image("", 0, NULL);
	/* the PNG signature, then garbage */
	memset(junk, 'x', sizeof(junk));
	memcpy(junk, "\x89PNG\r\n\x1a\n", 8);
	not_image(junk, sizeof(junk), NULL);
	/* the RIFF of a WebP around nothing */
	memcpy(junk, "RIFF\x40\0\0\0WEBPVP8 \x30\0\0\0", 20);
	not_image(junk, 64, NULL);
	assert_int_equal(wa_image_probe_mem(NULL, 0, &img), -1);
	assert_int_equal(img.type, WA_IMAGE_NONE);
	/* libpng, libjpeg and libmagic said nothing */
	assert_string_equal(t_capture_end(&cap, a), "");
	wa_arena_free(a);
}

/* Offset of the first occurrence of tag in p[0..n), or n. */
static size_t
find(const unsigned char *p, size_t n, const char *tag, size_t taglen)
{
	size_t	i;

	for (i = 0; i + taglen <= n; i++)
		if (memcmp(p + i, tag, taglen) == 0)
			return i;
	return n;
}

/* Every cut before the image data is refused, and cuts inside the
 * image data are still read: only the headers count. */
static void
test_truncated(void **state)
{
	struct wa_image	 img;
	unsigned char	*p;
	size_t		 n, cut, data;

	(void)state;
	p = make_png(1, 1, &n);
	not_image(p, 8 + 8 + 6, NULL);		/* in IHDR */
	/* the IDAT chunk's length and type end the header */
	data = find(p, n, "IDAT", 4) + 4;
	assert_true(data < n);
	for (cut = 0; cut < data; cut++)
		if (wa_image_probe_mem(p, cut, &img) != -1)
			fail_msg("PNG cut at %zu of %zu accepted", cut, n);
	is_image(p, data, WA_IMAGE_PNG, 1, 1);
	free(p);

	p = make_jpeg(1, 1, &n);
	not_image(p, 2, NULL);			/* after SOI */
	data = find(p, n, "\xff\xda", 2);
	assert_true(data < n);
	/* SOS with its segment: length, components, 3 spectral bytes */
	data += 2 + (size_t)(p[data + 2] << 8 | p[data + 3]);
	for (cut = 0; cut < data; cut++)
		if (wa_image_probe_mem(p, cut, &img) != -1)
			fail_msg("JPEG cut at %zu of %zu accepted", cut, n);
	is_image(p, data, WA_IMAGE_JPEG, 1, 1);
	free(p);
}

/* The CRC-32 of PNG chunks (ISO 3309), bit by bit. */
static uint32_t
crc32_of(const unsigned char *p, size_t n)
{
	uint32_t	c = 0xffffffffU;
	int		k;

	while (n-- > 0) {
		c ^= *p++;
		for (k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320U ^ (c >> 1) : c >> 1;
	}
	return c ^ 0xffffffffU;
}

/* A broken IHDR or frame header, with the right CRCs and lengths. */
static void
test_broken_headers(void **state)
{
	unsigned char	*p;
	size_t		 n, sof;
	uint32_t	 crc;

	(void)state;
	/* a PNG 0 pixels wide, its IHDR's CRC made right */
	p = make_png(2, 2, &n);
	memset(p + 16, 0, 4);
	crc = crc32_of(p + 12, 17);
	p[29] = (unsigned char)(crc >> 24);
	p[30] = (unsigned char)(crc >> 16);
	p[31] = (unsigned char)(crc >> 8);
	p[32] = (unsigned char)crc;
	not_image(p, n, NULL);
	/* the same with a bad CRC */
	p[16 + 3] = 2;
	not_image(p, n, NULL);
	free(p);
	/* a JPEG 0 pixels high */
	p = make_jpeg(2, 2, &n);
	sof = find(p, n, "\xff\xc0", 2);
	assert_true(sof < n);
	p[sof + 5] = 0;
	p[sof + 6] = 0;
	not_image(p, n, NULL);
	free(p);
}

/* A file bigger than a probe reads, a size smaller than the file, an
 * fd that cannot be read. */
static void
test_fd(void **state)
{
	struct wa_image	 img;
	unsigned char	*p, *big;
	size_t		 n, bign;
	FILE		*f;

	(void)state;
	p = make_png(640, 480, &n);
	bign = 3 * WA_IMAGE_READ_MAX;
	big = calloc(1, bign);
	assert_non_null(big);
	memcpy(big, p, n);
	f = tmp_with(big, bign);
	assert_int_equal(wa_image_probe_fd(fileno(f), bign, &img), 0);
	assert_int_equal(img.type, WA_IMAGE_PNG);
	assert_int_equal(img.width, 640);
	assert_int_equal(wa_image_probe_fd(fileno(f), 20, &img), -1);
	assert_int_equal(img.type, WA_IMAGE_NONE);
	fclose(f);
	assert_int_equal(wa_image_probe_mem(big, bign, &img), 0);
	assert_int_equal(img.height, 480);
	assert_int_equal(wa_image_probe_fd(-1, n, &img), -1);
	assert_string_equal(img.mime, "application/octet-stream");
	free(big);
	free(p);
}

static void
test_mime(void **state)
{
	(void)state;
	assert_null(wa_image_mime(WA_IMAGE_NONE));
	assert_string_equal(wa_image_mime(WA_IMAGE_PNG), "image/png");
	assert_string_equal(wa_image_mime(WA_IMAGE_JPEG), "image/jpeg");
	assert_string_equal(wa_image_mime(WA_IMAGE_WEBP), "image/webp");
	assert_null(wa_image_mime((enum wa_image_type)42));
}

/*
 * The child of test_no_magic, without a magic database (MAGIC names
 * none): signatures only, one warning.  Exits with the number of the
 * first check that failed, 0 if none.
 */
static int
child_no_magic(void)
{
	struct wa_image		 img;
	struct wa_arena		*a = wa_arena_new(0);
	struct t_capture	 cap;
	unsigned char		*png, *jpg, *webp;
	size_t			 npng, njpg, nwebp;
	const char		*log;
	int			 bad = 0;

	png = make_png(7, 5, &npng);
	jpg = make_jpeg(7, 5, &njpg);
	webp = make_webp(7, 5, &nwebp);
	t_capture_begin(&cap);
	if (wa_image_probe_mem(png, npng, &img) != 0 || img.width != 7 ||
	    strcmp(img.mime, "image/png") != 0)
		bad = bad ? bad : 1;
	if (wa_image_probe_mem(jpg, njpg, &img) != 0 || img.height != 5 ||
	    strcmp(img.mime, "image/jpeg") != 0)
		bad = bad ? bad : 2;
	if (wa_image_probe_mem(webp, nwebp, &img) != 0 ||
	    img.type != WA_IMAGE_WEBP)
		bad = bad ? bad : 3;
	if (wa_image_probe_mem(text, sizeof(text) - 1, &img) != -1 ||
	    strcmp(img.mime, "application/octet-stream") != 0)
		bad = bad ? bad : 4;
	if (wa_image_probe_mem(png, 22, &img) != -1 ||
	    img.type != WA_IMAGE_NONE)
		bad = bad ? bad : 5;
	log = t_capture_end(&cap, a);
	if (strstr(log, "\"warn\"") == NULL ||
	    strstr(log, "no libmagic database") == NULL ||
	    strchr(log, '\n') != strrchr(log, '\n'))
		bad = bad ? bad : 6;
	free(png);
	free(jpg);
	free(webp);
	wa_arena_free(a);
	return bad;
}

/* The test binary again, in a process of its own that has not opened
 * libmagic yet. */
static void
test_no_magic(void **state)
{
	char *const	 argv[] = { (char *)"test_image", NULL };
	pid_t		 pid;
	int		 st;

	(void)state;
	fflush(NULL);
	if ((pid = fork()) == 0) {
		setenv("MAGIC", "/nonexistent/wagate-magic.mgc", 1);
		setenv(CHILD_ENV, "1", 1);
		execv("/proc/self/exe", argv);
		_exit(100);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_images),
		cmocka_unit_test(test_not_images),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_broken_headers),
		cmocka_unit_test(test_fd),
		cmocka_unit_test(test_mime),
		cmocka_unit_test(test_no_magic),
	};

	if (getenv(CHILD_ENV) != NULL)
		return child_no_magic();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
