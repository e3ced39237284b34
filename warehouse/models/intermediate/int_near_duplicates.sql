{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='article_id',
        post_hook="delete from {{ this }} where duplicate_of is null",
    )
}}
-- depends_on: {{ ref('stg_articles_new') }}

{#- Syndicated copies across outlets: 64-bit simhashes within a small Hamming distance.
    Blocking: the 64 bits are cut into 4 bands of 16 bits; by the pigeonhole principle two hashes
    within distance <= 3 agree exactly on at least one band, so only pairs sharing a band value are
    compared (not all n^2 pairs). Each copy points to the first copy among its near-duplicates
    (earliest published_at, then article_id).
    Incremental: a build recomputes the pointers of the articles it may have changed: the versions
    read in this build, their near-duplicates, the articles pointing at them, and rows about articles
    no longer kept. Every other article's set of near-duplicates, and so its pointer, is unchanged.
    Affected articles that are no copy get a null pointer, which replaces their old row and is then
    deleted (post-hook). #}

with articles as (
    select article_id, source_id, published_at, simhash, lake_file, lake_row
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

{% if is_incremental() %}
kept as (
    select article_id from {{ ref('int_articles_deduped') }}
),

changed as (
    -- the versions read in this build (new articles and new versions)
    {{ versions_read() }}
    union
    -- rows about articles no longer kept (a version with another id replaced them)
    select article_id from {{ this }}
    where article_id not in (select article_id from kept) or duplicate_of not in (select article_id from kept)
),

changed_bands as (
    -- filtered before the join, so the join probes all bands against the few changed ones
    select * from bands where article_id in (select article_id from changed)
),

neighbours as (
    select b.article_id
    from changed_bands as a
    inner join bands as b
        on {{ near_duplicate_candidates('a', 'b') }}
    where bit_count(xor(a.simhash, b.simhash)) <= {{ var('near_duplicate_max_distance') }}
),

affected as (
    select article_id from changed
    union
    select article_id from neighbours
    union
    select article_id from {{ this }} where duplicate_of in (select article_id from changed)
),

affected_bands as (
    select * from bands where article_id in (select article_id from affected)
),
{% else %}
affected as (
    select article_id from articles
),

affected_bands as (
    select * from bands
),
{% endif %}

near_pairs as (
    select distinct
        a.article_id,
        b.article_id as other_id,
        b.published_at as other_published_at,
        bit_count(xor(a.simhash, b.simhash)) as hamming_distance
    from affected_bands as a
    inner join bands as b
        on {{ near_duplicate_candidates('a', 'b') }}
    where bit_count(xor(a.simhash, b.simhash)) <= {{ var('near_duplicate_max_distance') }}
),

with_self as (
    select article_id, other_id, other_published_at, hamming_distance from near_pairs
    union all
    select article_id, article_id, published_at, 0 from articles
    where article_id in (select article_id from near_pairs)
),

first_copy as (
    select
        article_id,
        arg_min(other_id, (other_published_at is null, other_published_at, other_id)) as first_id,
        arg_min(hamming_distance, (other_published_at is null, other_published_at, other_id))
            as hamming_distance
    from with_self
    group by article_id
),

final as (
    select
        affected.article_id,
        case when first_copy.first_id <> affected.article_id then first_copy.first_id end as duplicate_of,
        case when first_copy.first_id <> affected.article_id then first_copy.hamming_distance end
            as hamming_distance
    from affected
    left join first_copy on affected.article_id = first_copy.article_id
    {% if not is_incremental() %}
    where first_copy.first_id <> affected.article_id
    {% endif %}
)

select * from final
