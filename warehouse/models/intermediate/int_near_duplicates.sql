{#- Syndicated copies across outlets: 64-bit simhashes within a small Hamming distance.
    Blocking: the 64 bits are cut into 4 bands of 16 bits; by the pigeonhole principle two hashes
    within distance <= 3 agree exactly on at least one band, so only pairs sharing a band value are
    compared (not all n^2 pairs). Each copy points to the first copy among its near-duplicates
    (earliest published_at, then article_id). -#}

with articles as (
    select article_id, source_id, published_at, simhash
    from {{ ref('int_articles_deduped') }}
    where simhash is not null
),

bands as (
    select
        article_id,
        source_id,
        published_at,
        simhash,
        band,
        (simhash >> (16 * band)) & 65535::ubigint as band_value
    from articles
    cross join (select unnest(range(4)) as band)
),

candidate_pairs as (
    select distinct
        a.article_id as article_id,
        b.article_id as other_id,
        b.published_at as other_published_at,
        bit_count(xor(a.simhash, b.simhash)) as hamming_distance
    from bands as a
    inner join bands as b
        on a.band = b.band
        and a.band_value = b.band_value
        and a.source_id <> b.source_id
        and a.article_id <> b.article_id
    where
        a.published_at is null
        or b.published_at is null
        or abs(epoch(a.published_at) - epoch(b.published_at))
        <= {{ var('near_duplicate_window_days') }} * 86400
),

near_pairs as (
    select * from candidate_pairs
    where hamming_distance <= {{ var('near_duplicate_max_distance') }}
),

with_self as (
    select
        articles.article_id,
        near_pairs.other_id,
        near_pairs.other_published_at,
        near_pairs.hamming_distance
    from near_pairs
    inner join articles on near_pairs.article_id = articles.article_id
    union all
    select article_id, article_id, published_at, 0 from articles
    where article_id in (select article_id from near_pairs)
),

first_copy as (
    select
        article_id,
        arg_min(other_id, (other_published_at is null, other_published_at, other_id)) as first_id,
        arg_min(hamming_distance, (other_published_at is null, other_published_at, other_id))
            as hamming_distance,
        count(*) - 1 as near_duplicate_count
    from with_self
    group by article_id
),

final as (
    select
        article_id,
        first_id as duplicate_of,
        hamming_distance,
        near_duplicate_count
    from first_copy
    where first_id <> article_id
)

select * from final
