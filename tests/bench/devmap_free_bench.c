// SPDX-License-Identifier: GPL-2.0
/*
 * Allocate and free device-private folios in a loop and print ns per folio:
 * the ZONE_DEVICE free path on its own, with nothing migrating.  Built as an
 * external module against both kernels of `make bench`:
 *
 * - 7.3.4: the driver's way before the series, a spinlock-protected free
 *   list threaded through zone_device_data, zone_device_page_init() on
 *   allocation and ->folio_free, an indirect call per folio, on free;
 * - the series: PGMAP_POOL, pgmap_alloc_folio(), no callback.
 *
 * Results are printed as "@@ BENCH <metric> <median> <unit>" lines; the
 * module then stays loaded until it is removed, which unmaps the pgmap.
 */
#include <linux/ioport.h>
#include <linux/ktime.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sort.h>

static unsigned int nr_folios = 16384;
module_param(nr_folios, uint, 0444);
MODULE_PARM_DESC(nr_folios, "folios allocated, then freed, per round");
static unsigned int rounds = 7;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "rounds; the median is printed");

/* One memory section: the smallest range memremap_pages() maps. */
#define BENCH_BYTES	(128UL << 20)

static struct dev_pagemap bench_pgmap;
static struct resource *bench_res;

static vm_fault_t bench_migrate_to_ram(struct vm_fault *vmf)
{
	return VM_FAULT_SIGBUS;
}

#ifdef PGMAP_POOL
static const struct dev_pagemap_ops bench_ops = {
	.migrate_to_ram = bench_migrate_to_ram,
};

static int bench_pool_setup(void)
{
	bench_pgmap.flags = PGMAP_POOL;
	return 0;
}

static int bench_pool_fill(void)
{
	return pgmap_pool_add(&bench_pgmap, PHYS_PFN(bench_res->start),
			      BENCH_BYTES >> PAGE_SHIFT);
}

static struct folio *bench_alloc(void)
{
	return pgmap_alloc_folio(&bench_pgmap, 0);
}
#else
static DEFINE_SPINLOCK(bench_lock);
static struct page *bench_free;

static void bench_folio_free(struct folio *folio)
{
	spin_lock(&bench_lock);
	folio->page.zone_device_data = bench_free;
	bench_free = &folio->page;
	spin_unlock(&bench_lock);
}

static const struct dev_pagemap_ops bench_ops = {
	.folio_free = bench_folio_free,
	.migrate_to_ram = bench_migrate_to_ram,
};

static int bench_pool_setup(void)
{
	return 0;
}

static int bench_pool_fill(void)
{
	unsigned long pfn = PHYS_PFN(bench_res->start);
	unsigned long i;

	for (i = 0; i < (BENCH_BYTES >> PAGE_SHIFT); i++) {
		struct page *page = pfn_to_page(pfn + i);

		page->zone_device_data = bench_free;
		bench_free = page;
	}
	return 0;
}

static struct folio *bench_alloc(void)
{
	struct page *page;

	spin_lock(&bench_lock);
	page = bench_free;
	if (page)
		bench_free = page->zone_device_data;
	spin_unlock(&bench_lock);
	if (!page)
		return NULL;
	zone_device_page_init(page, &bench_pgmap, 0);
	return page_folio(page);
}
#endif

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static int bench_run(void)
{
	struct folio **folios;
	u64 *alloc_ns, *free_ns;
	unsigned int r, i;
	int ret = -ENOMEM;

	folios = kvmalloc_array(nr_folios, sizeof(*folios), GFP_KERNEL);
	alloc_ns = kcalloc(rounds, sizeof(u64), GFP_KERNEL);
	free_ns = kcalloc(rounds, sizeof(u64), GFP_KERNEL);
	if (!folios || !alloc_ns || !free_ns)
		goto out;

	for (r = 0; r < rounds; r++) {
		ktime_t t0 = ktime_get();

		for (i = 0; i < nr_folios; i++) {
			folios[i] = bench_alloc();
			if (!folios[i])
				break;
			folio_unlock(folios[i]);
		}
		alloc_ns[r] = ktime_to_ns(ktime_sub(ktime_get(), t0));
		if (i < nr_folios) {
			pr_err("devmap_free_bench: allocation %u failed\n", i);
			while (i--)
				folio_put(folios[i]);
			ret = -ENOSPC;
			goto out;
		}
		t0 = ktime_get();
		for (i = 0; i < nr_folios; i++)
			folio_put(folios[i]);
		free_ns[r] = ktime_to_ns(ktime_sub(ktime_get(), t0));
		cond_resched();
	}
	sort(alloc_ns, rounds, sizeof(u64), cmp_u64, NULL);
	sort(free_ns, rounds, sizeof(u64), cmp_u64, NULL);
	pr_info("@@ BENCH kmod_alloc_ns_per_folio %llu ns\n",
		div_u64(alloc_ns[rounds / 2], nr_folios));
	pr_info("@@ BENCH kmod_free_ns_per_folio %llu ns\n",
		div_u64(free_ns[rounds / 2], nr_folios));
	ret = 0;
out:
	kfree(free_ns);
	kfree(alloc_ns);
	kvfree(folios);
	return ret;
}

static int __init bench_init(void)
{
	void *addr;
	int ret;

	if (!nr_folios || nr_folios > (BENCH_BYTES >> PAGE_SHIFT) || !rounds)
		return -EINVAL;
	bench_res = request_free_mem_region(&iomem_resource, BENCH_BYTES,
					    "devmap_free_bench");
	if (IS_ERR(bench_res))
		return PTR_ERR(bench_res);
	bench_pgmap.type = MEMORY_DEVICE_PRIVATE;
	bench_pgmap.range.start = bench_res->start;
	bench_pgmap.range.end = bench_res->end;
	bench_pgmap.nr_range = 1;
	bench_pgmap.ops = &bench_ops;
	bench_pgmap.owner = &bench_pgmap;
	ret = bench_pool_setup();
	if (ret)
		goto release;
	addr = memremap_pages(&bench_pgmap, numa_node_id());
	if (IS_ERR(addr)) {
		ret = PTR_ERR(addr);
		goto release;
	}
	ret = bench_pool_fill();
	if (!ret)
		ret = bench_run();
	if (!ret)
		return 0;
	memunmap_pages(&bench_pgmap);
release:
	release_mem_region(bench_res->start, resource_size(bench_res));
	return ret;
}

static void __exit bench_exit(void)
{
	memunmap_pages(&bench_pgmap);
	release_mem_region(bench_res->start, resource_size(bench_res));
}

module_init(bench_init);
module_exit(bench_exit);
MODULE_DESCRIPTION("ZONE_DEVICE free path microbenchmark");
MODULE_LICENSE("GPL");
