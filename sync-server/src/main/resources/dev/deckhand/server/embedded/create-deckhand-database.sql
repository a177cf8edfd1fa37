-- The all-in-one server's database (RunningPostgres.DATABASE); CREATE DATABASE takes no parameters.
create database deckhand
