// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <elf.h>
#include <gelf.h>
#include <libelf.h>
#include <elfutils/libdwelf.h>
#include "build_id.h"

/* The notes of the kernel and of one module are a few hundred bytes. */
#define NOTES_MAX 4096

static int hex_of(const unsigned char *b, size_t n, char *hex, size_t hexlen)
{
	static const char digits[] = "0123456789abcdef";

	if (n == 0 || 2 * n + 1 > hexlen)
		return -1;
	for (size_t i = 0; i < n; i++) {
		hex[2 * i] = digits[b[i] >> 4];
		hex[2 * i + 1] = digits[b[i] & 15];
	}
	hex[2 * n] = '\0';
	return 0;
}

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

int build_id_from_notes(const unsigned char *notes, size_t len, char *hex, size_t hexlen)
{
	size_t off = 0;

	while (len - off >= 12) {
		uint32_t namesz, descsz, type;
		size_t name_off = off + 12, desc_off;

		memcpy(&namesz, notes + off, 4);
		memcpy(&descsz, notes + off + 4, 4);
		memcpy(&type, notes + off + 8, 4);
		/* Sizes come from the file: check each step against what is left. */
		if (namesz > len - name_off || align4(namesz) > len - name_off)
			return -1;
		desc_off = name_off + align4(namesz);
		if (descsz > len - desc_off)
			return -1;
		if (type == NT_GNU_BUILD_ID && namesz == 4 && !memcmp(notes + name_off, "GNU", 4))
			return hex_of(notes + desc_off, descsz, hex, hexlen);
		if (align4(descsz) > len - desc_off)
			return -1;
		off = desc_off + align4(descsz);
	}
	return -1;
}

int build_id_running(const char *sysfs_root, const char *module, char *hex, size_t hexlen)
{
	unsigned char buf[NOTES_MAX];
	char path[512];
	ssize_t n;
	int fd, err;

	if (module)
		snprintf(path, sizeof(path), "%s/sys/module/%s/notes/.note.gnu.build-id",
			 sysfs_root, module);
	else
		snprintf(path, sizeof(path), "%s/sys/kernel/notes", sysfs_root);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf));
	err = errno;
	close(fd);
	if (n < 0)
		return -err;
	return build_id_from_notes(buf, (size_t)n, hex, hexlen) ? -ENOENT : 0;
}

int build_id_of_file(const char *path, char *hex, size_t hexlen)
{
	const void *id = NULL;
	ssize_t n;
	Elf *elf;
	int fd;

	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf) {
		close(fd);
		return -EINVAL;
	}
	n = dwelf_elf_gnu_build_id(elf, &id);
	n = n > 0 && !hex_of(id, (size_t)n, hex, hexlen) ? 0 : -ENOENT;
	elf_end(elf);
	close(fd);
	return (int)n;
}

int build_id_parse(char *s)
{
	size_t n = strlen(s);

	if (n < 2 || n >= BUILD_ID_HEX_LEN || n % 2)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -1;
		s[i] = (char)tolower((unsigned char)s[i]);
	}
	return 0;
}
